#!/usr/bin/env python3
"""Set up Golden Rule and run it, or run its tests, with one command (Linux, Windows, macOS).

    python3 run.py app [ARGS...]     install (first time) and open the desktop app;
                                     ARGS go to the app, e.g. --db PATH_OR_URL, or a CLI command
    python3 run.py test [ARGS...]    install (first time) with the test tools, run ruff, then
                                     pytest headless; ARGS go to pytest, e.g. -k audit -x
    python3 run.py lock [--upgrade]  regenerate requirements.lock (maintainers; downloads uv)

On Windows use the launcher: ``py -3.11 run.py app``.

Standard library only, on purpose: it must run on a bare machine. It keeps a virtual
environment in ``.venv`` beside this file and installs the project into it *editable*, pinned
by ``requirements.lock`` (``pip install -c requirements.lock -e .[test]``). Editable, because
the app then runs the code in this folder: after a ``git pull`` nothing needs reinstalling
unless pyproject.toml or requirements.lock changed, and that is exactly what the stamp in
``.venv`` records (a hash of both files). Delete ``.venv`` to start from scratch.
"""

import contextlib
import ctypes
import glob
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile

MIN_PYTHON = (3, 11)
MAX_PYTHON = (3, 13)  # pyproject.toml: requires-python = ">=3.11,<3.14"

ROOT = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(ROOT, ".venv")
LOCK = os.path.join(ROOT, "requirements.lock")
PYPROJECT = os.path.join(ROOT, "pyproject.toml")
STAMP = os.path.join(VENV, ".goldenrule-install.json")
STAMP_FORMAT = 1
WINDOWS = os.name == "nt"

# What Qt from PyPI needs from a Debian/Ubuntu system (docs/INSTALL.md, shared DESIGN.md):
# shared library -> the package that ships it.
QT_LIBS_OFFSCREEN = [
    ("libglib-2.0.so.0", "libglib2.0-0"),
    ("libGL.so.1", "libgl1"),
    ("libEGL.so.1", "libegl1"),
    ("libxkbcommon.so.0", "libxkbcommon0"),
    ("libfreetype.so.6", "libfreetype6"),
    ("libfontconfig.so.1", "libfontconfig1"),
    ("libdbus-1.so.3", "libdbus-1-3"),
]
QT_LIBS_WINDOW = [
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
    ("libxcb-cursor.so.0", "libxcb-cursor0"),
    ("libxcb-icccm.so.4", "libxcb-icccm4"),
    ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
    ("libxcb-shape.so.0", "libxcb-shape0"),
]

USAGE = """\
usage: python3 run.py app [ARGS...]     install if needed, then open Golden Rule
                                        (ARGS go to the app: --db PATH_OR_URL, --help, a command)
       python3 run.py test [ARGS...]    install if needed, then ruff + pytest headless
                                        (ARGS go to pytest)
       python3 run.py lock [--upgrade]  regenerate requirements.lock (needs the network)
On Windows write "py -3.11 run.py ..." instead of "python3 run.py ...".
"""


class Failure(Exception):
    """An expected failure: its message is for the user, printed without a traceback."""

    def __init__(self, message, status=1):
        Exception.__init__(self, message)
        self.status = status


def say(message):
    print("run.py: " + message, file=sys.stderr, flush=True)


def python_command():
    return "py -3.11" if WINDOWS else "python3"


# --- the interpreter -------------------------------------------------------------------------

def check_python():
    version = sys.version_info[:2]
    if MIN_PYTHON <= version <= MAX_PYTHON:
        return
    found = f"{version[0]}.{version[1]}"
    if WINDOWS:
        how = ("Install Python 3.11, 3.12 or 3.13 from python.org (tick \"py launcher\"), "
               "then run: py -3.11 run.py ...  (or py -3.12 / py -3.13)")
    else:
        how = ("Install Python 3.11, 3.12 or 3.13 (Debian 12: sudo apt-get install python3 "
               "python3-venv) and run this script with it, e.g. python3.11 run.py ...")
    raise Failure(f"Golden Rule needs Python 3.11 to 3.13; this is Python {found} "
                  f"({sys.executable}).\n{how}")


def venv_python():
    if WINDOWS:
        return os.path.join(VENV, "Scripts", "python.exe")
    return os.path.join(VENV, "bin", "python")


def venv_script(name):
    if WINDOWS:
        return os.path.join(VENV, "Scripts", name + ".exe")
    return os.path.join(VENV, "bin", name)


def venv_version():
    """(major, minor) of the venv's interpreter, or None when it is missing or broken."""
    exe = venv_python()
    if not os.path.exists(exe):
        return None
    try:
        out = subprocess.run([exe, "-c", "import sys; print('%d %d' % sys.version_info[:2])"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    major, minor = out.stdout.split()
    return int(major), int(minor)


def venv_missing_hint():
    if WINDOWS:
        return ("Reinstall Python from python.org with the default options "
                "(the venv module comes with it).")
    return ("On Debian or Ubuntu install it with:\n"
            "    sudo apt-get install python3-venv\n"
            "(as root: apt-get install python3-venv), then run this command again.")


def create_venv():
    if importlib.util.find_spec("venv") is None or importlib.util.find_spec("ensurepip") is None:
        raise Failure(f"This Python ({sys.executable}) cannot create virtual environments: its "
                      f"'venv' or 'ensurepip' module is missing.\n{venv_missing_hint()}")
    version = sys.version_info
    say(f"creating the virtual environment .venv with Python {version[0]}.{version[1]} "
        f"({sys.executable})")
    result = subprocess.run([sys.executable, "-m", "venv", VENV],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    if result.returncode != 0 or not os.path.exists(venv_python()):
        shutil.rmtree(VENV, ignore_errors=True)
        detail = result.stdout.strip()
        detail = detail + "\n" if detail else ""
        raise Failure(f"Could not create the virtual environment .venv.\n{detail}"
                      f"{venv_missing_hint()}")


def ensure_venv():
    if os.path.isdir(VENV):
        version = venv_version()
        if version is None:
            say(".venv is broken (its Python does not run): making it again")
            shutil.rmtree(VENV, ignore_errors=True)
        elif not (MIN_PYTHON <= version <= MAX_PYTHON):
            raise Failure(f".venv uses Python {version[0]}.{version[1]}, but Golden Rule needs "
                          f"3.11 to 3.13. Delete the folder {VENV} and run this command again.")
        else:
            return
    create_venv()


# --- installing ------------------------------------------------------------------------------

def inputs_hash():
    digest = hashlib.sha256()
    for path in (PYPROJECT, LOCK):
        with open(path, "rb") as handle:
            digest.update(os.path.basename(path).encode() + b"\0" + handle.read() + b"\0")
    return digest.hexdigest()


def read_stamp():
    try:
        with open(STAMP, encoding="utf-8") as handle:
            stamp = json.load(handle)
    except (OSError, ValueError):
        return None
    return stamp if isinstance(stamp, dict) and stamp.get("format") == STAMP_FORMAT else None


def install(extras):
    """Install the project (with these extras) into .venv unless the stamp says it is there."""
    for path in (PYPROJECT, LOCK):
        if not os.path.exists(path):
            raise Failure(f"{path} is missing: run this script from a complete copy of the "
                          "project.")
    wanted = inputs_hash()
    stamp = read_stamp()
    if (stamp is not None and stamp.get("hash") == wanted
            and set(extras) <= set(stamp.get("extras", []))
            and os.path.exists(venv_script("goldenrule"))):
        return
    # Keep what was installed before: 'app' after 'test' must not drop the test tools' stamp.
    if stamp is not None and stamp.get("hash") == wanted:
        extras = sorted(set(extras) | set(stamp.get("extras", [])))
    target = "." + (f"[{','.join(extras)}]" if extras else "")
    if stamp is None:
        say("installing Golden Rule and its pinned dependencies into .venv "
            "(first time: downloads about 150 MB, a few minutes)")
    elif stamp.get("hash") != wanted:
        say("pyproject.toml or requirements.lock changed: updating .venv")
    else:
        say(f"adding the extras {', '.join(extras)} to .venv")
    with contextlib.suppress(OSError):
        os.remove(STAMP)
    command = [venv_python(), "-m", "pip", "install", "--disable-pip-version-check",
               "-c", LOCK, "-e", target]
    status = subprocess.call(command, cwd=ROOT)
    if status != 0:
        raise Failure(f"Installing into .venv failed (pip exit status {status}; its messages are "
                      "above).\nCheck the network connection to the package index, then run this "
                      f"command again. Command: {' '.join(command)}")
    with open(STAMP, "w", encoding="utf-8") as handle:
        json.dump({"format": STAMP_FORMAT, "hash": wanted, "extras": extras}, handle)
        handle.write("\n")


# --- Qt's system libraries (Linux) -----------------------------------------------------------

def missing_packages(libraries):
    """Debian packages whose shared library cannot be loaded here, in list order."""
    missing = []
    for soname, package in libraries:
        try:
            ctypes.CDLL(soname)
        except OSError:
            if package not in missing:
                missing.append(package)
    return missing


def qt_platform_needs_window(env):
    """Whether Qt will use its X11 (xcb) plugin, which needs the QT_LIBS_WINDOW libraries."""
    platform = env.get("QT_QPA_PLATFORM", "").split(":")[0].split(";")[0].strip()
    if platform:
        return platform == "xcb"
    # Unset: Qt 6 picks Wayland in a Wayland session, X11 otherwise.
    wayland = env.get("XDG_SESSION_TYPE") == "wayland" or (
        env.get("WAYLAND_DISPLAY") and not env.get("DISPLAY"))
    return not wayland


def apt_line(packages):
    return "sudo apt-get install -y " + " ".join(packages)


def missing_qt_packages(with_window):
    if not sys.platform.startswith("linux"):
        return []
    libraries = QT_LIBS_OFFSCREEN + (QT_LIBS_WINDOW if with_window else [])
    return missing_packages(libraries)


def launches_gui(args):
    """Whether main.py would open the window for these arguments (no command, no --help).

    Only main.py's global options are known here; anything unexpected counts as a command,
    so a wrong guess merely skips the checks made before the start.
    """
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in ("--db", "--user"):
            skip = True
        elif arg.startswith(("--db=", "--user=")):
            continue
        else:
            return False  # -h/--help, a command, or an option this script does not know
    return True


def gui_problem(env):
    """Why the desktop window cannot open on this Linux system, or None."""
    if not sys.platform.startswith("linux"):
        return None
    missing = missing_qt_packages(qt_platform_needs_window(env))
    if missing:
        return ("Qt cannot start because system libraries are missing. Install them with "
                f"(Debian/Ubuntu):\n    {apt_line(missing)}\n(as root, without sudo), then run "
                "this command again.")
    if (not env.get("QT_QPA_PLATFORM") and not env.get("DISPLAY")
            and not env.get("WAYLAND_DISPLAY")):
        return ("The desktop window needs a graphical session, and none was found (DISPLAY and "
                "WAYLAND_DISPLAY are not set). Start it from a desktop session; the command-line "
                f"interface works without one: {python_command()} run.py app --help")
    return None


# --- commands --------------------------------------------------------------------------------

def exit_status(status):
    # A child killed by a signal (e.g. Qt aborting): report it the way a shell would.
    return 128 - status if status < 0 else status


def xcb_plugin_missing_libraries():
    """Shared libraries that Qt's xcb plugin in .venv cannot find, as ldd reports them."""
    plugins = glob.glob(os.path.join(VENV, "lib", "python3*", "site-packages", "PySide6", "Qt",
                                     "plugins", "platforms", "libqxcb.so"))
    if not plugins or not shutil.which("ldd"):
        return []
    try:
        out = subprocess.run(["ldd", plugins[0]], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    missing = []
    for line in out.splitlines():
        if "not found" in line:
            name = line.split("=>")[0].strip()
            if name not in missing:
                missing.append(name)
    return missing


def cmd_app(args):
    gui = launches_gui(args)
    if gui:
        problem = gui_problem(os.environ)
        if problem:
            raise Failure(problem)
    ensure_venv()
    install([])
    status = subprocess.call([venv_script("goldenrule"), *args], cwd=os.getcwd())
    if status < 0:
        say(f"the app was stopped by signal {-status}")
    if status != 0 and gui and sys.platform.startswith("linux"):
        missing = xcb_plugin_missing_libraries() if qt_platform_needs_window(os.environ) else []
        if missing:
            say("Qt's window plugin (xcb) cannot load these system libraries: "
                f"{', '.join(missing)}. Install the Debian/Ubuntu packages that provide them "
                "(apt-file search NAME tells which).")
    return exit_status(status)


def cmd_test(args):
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    missing = missing_qt_packages(qt_platform_needs_window(env))
    if missing:
        raise Failure("The Qt tests need system libraries that are missing here. Install them "
                      f"with (Debian/Ubuntu):\n    {apt_line(missing)}\n(as root, without sudo), "
                      "then run this command again.")
    ensure_venv()
    install(["test"])
    python = venv_python()

    say("ruff check .")
    lint = subprocess.call([python, "-m", "ruff", "check", "."], cwd=ROOT, env=env)

    say(f"pytest (QT_QPA_PLATFORM={env['QT_QPA_PLATFORM']})")
    tests = subprocess.call([python, "-m", "pytest", *args], cwd=ROOT, env=env)

    if tests == 5:
        say("FAILED: pytest collected no tests")
    elif tests != 0:
        say(f"FAILED: pytest exit status {tests}")
    if lint != 0:
        say("FAILED: ruff found problems (listed above)")
    if tests != 0:
        return exit_status(tests)
    return 1 if lint != 0 else 0


LOCK_HEADER = """\
# requirements.lock: the exact versions every office installs (runtime + the 'test' extra),
# for Linux, Windows and macOS and Python 3.11 to 3.13. run.py installs with it as constraints:
#     pip install -c requirements.lock -e ".[test]"
# Do not edit by hand. After changing dependencies in pyproject.toml, regenerate it with
#     python3 run.py lock            (keeps current pins where still allowed)
#     python3 run.py lock --upgrade  (newest versions pyproject.toml allows)
# which runs, with uv from PyPI in a temporary folder:
#     uv pip compile pyproject.toml --extra test --universal --python-version 3.11 \\
#         -o requirements.lock
# then check that PySide6-Essentials still has wheels for win_amd64 and manylinux x86_64
# (docs/INSTALL.md) and run "python3 run.py test".
"""


def cmd_lock(args):
    upgrade = False
    for arg in args:
        if arg == "--upgrade":
            upgrade = True
        else:
            raise Failure(f"run.py lock: unknown argument {arg!r} (only --upgrade)", 2)
    tools = tempfile.mkdtemp(prefix="goldenrule-uv-")
    try:
        say("installing uv into a temporary folder")
        if subprocess.call([sys.executable, "-m", "venv", tools]) != 0:
            raise Failure("Could not create a temporary virtual environment.\n"
                          + venv_missing_hint())
        bindir = os.path.join(tools, "Scripts" if WINDOWS else "bin")
        pip = os.path.join(bindir, "python.exe" if WINDOWS else "python")
        if subprocess.call([pip, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                            "uv"]) != 0:
            raise Failure("Could not install uv from the package index.")
        uv = os.path.join(bindir, "uv.exe" if WINDOWS else "uv")
        command = [uv, "pip", "compile", "pyproject.toml", "--extra", "test", "--universal",
                   "--python-version", "3.11", "--no-header", "-o", "requirements.lock"]
        if upgrade:
            command.append("--upgrade")
        # uv also echoes the result on stdout; its messages and errors go to stderr.
        if subprocess.call(command, cwd=ROOT, stdout=subprocess.DEVNULL) != 0:
            raise Failure("uv could not resolve the dependencies (its messages are above).")
    finally:
        shutil.rmtree(tools, ignore_errors=True)
    with open(LOCK, encoding="utf-8") as handle:
        body = handle.read()
    with open(LOCK, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(LOCK_HEADER + body)
    say("wrote requirements.lock")
    return 0


COMMANDS = {"app": cmd_app, "test": cmd_test, "lock": cmd_lock}


def main(argv):
    if not argv or argv[0] in ("-h", "--help", "help"):
        sys.stdout.write(USAGE)
        return 0 if argv else 2
    command = COMMANDS.get(argv[0])
    if command is None:
        sys.stderr.write(f"run.py: unknown command {argv[0]!r}\n{USAGE}")
        return 2
    try:
        check_python()
        return command(argv[1:])
    except Failure as failure:
        say(str(failure))
        return failure.status
    except KeyboardInterrupt:
        say("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
