"""Screening matcher at scale: build an index of ~50,000 synthetic list names (plus the real UN
and OFAC lists from ../shared/data when they parse), then time one party at a time and a
re-screen of 10,000 parties. Prints its figures; run it, do not import it.

    python benchmarks/screening_matcher.py [--names 50000] [--queries 2000] [--many 10000]

Targets (issue 8): one party against 50,000 names under 50 ms at p95; 10,000 parties under
60 s.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.screening.entries import STRONG, WEAK, Alias, ListEntry  # noqa: E402
from app.screening.matcher import Indexed, MatchIndex, Party  # noqa: E402

DATA = ROOT.parent / "shared" / "data"


def words(text: str) -> list[str]:
    return text.split()


REAL_FILES = ("un_sc_consolidated_2026-02-27.xml", "ofac_non_sdn_consolidated_2025-03-28.xml",
              "ofac_sdn_2024-05-03.csv")

FIRST = words("""
Mohammed Muhammad Mohamed Ahmed Ahmad Ali Hassan Hussein Hussain Omar Umar Khalid Abdullah
Abdul Abdel Ibrahim Yusuf Youssef Mustafa Mahmoud Hamid Hamza Bilal Tariq Saeed Said Salim
Salem Nasser Nasir Jamal Karim Kareem Faisal Fahad Majid Rashid Walid Zaid Ziad Anwar Amir
Ayman Osama Usama Sami Samir Adel Adil Imad Fadi Hadi Jabir Jaber Marwan Nabil Qasim Kassim
Rami Riyad Sultan Tahir Yasin Yassin Zakaria Idris Ismail Ismael Ilyas Musa Harun Haroun
Ivan Sergei Sergey Dmitry Dmitri Alexei Alexey Aleksandr Alexander Vladimir Viktor Yuri Yury
Andrei Andrey Mikhail Nikolai Nikolay Oleg Pavel Petr Pyotr Roman Ruslan Stanislav Vadim
Valery Vasily Vitaly Yevgeny Evgeny Igor Konstantin Maxim Boris Gennady Grigory Leonid Anatoly
Olga Tatiana Natalia Elena Irina Svetlana Anna Maria Yulia Ekaterina Galina Lyudmila Oksana
Kim Li Lee Park Choi Jong Chol Song Hyun Min Jin Wei Wang Zhang Chen Liu Yang Huang Zhao Wu
Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo Zheng Liang Xie Tang Han Feng Deng Cao Peng Zeng
Hiroshi Takashi Kenji Yuki Akira Nguyen Tran Le Pham Hoang Huynh Phan Vu Vo Dang Bui Do Ho
John James Robert Michael William David Richard Joseph Thomas Charles Daniel Matthew Anthony
Mark Paul Steven Andrew Kenneth George Edward Brian Ronald Kevin Jason Jeffrey Ryan Jacob
Jose Juan Carlos Luis Miguel Jorge Pedro Manuel Francisco Antonio Rafael Fernando Ricardo
Diego Alejandro Javier Eduardo Roberto Sergio Hector Raul Enrique Oscar Ramon Alfredo
Reza Ali-Reza Mehdi Hossein Mohsen Majid Hamid Ahmad Javad Saeed Abbas Morteza Gholam
Amadou Moussa Ousmane Mamadou Ibrahima Abdoulaye Boubacar Cheikh Modibo Seydou Issa Bakary
Joseph Jean Pierre Emmanuel Patrick Innocent Bosco Laurent Faustin Sylvestre Callixte
""")

SURNAMES = words("""
Rogo Aboud Swalleh Haqqani Zawahiri Baghdadi Qurashi Masri Yemeni Libi Suri Iraqi Tunisi
Shishani Turkistani Afghani Kuwaiti Saudi Maqdisi Adnani Anbari Jubouri Tikriti Dulaimi
Rahman Rahim Karim Nasrallah Qassem Soleimani Larijani Velayati Rezaei Jafari Najafi
Petrov Ivanov Smirnov Kuznetsov Popov Vasiliev Sokolov Mikhailov Novikov Fedorov Morozov
Volkov Alekseev Lebedev Semenov Egorov Pavlov Kozlov Stepanov Nikolaev Orlov Andreev Makarov
Zakharov Zaitsev Solovyov Borisov Yakovlev Grigoriev Romanov Vorobyov Sergeev Frolov
Shoigu Lavrov Patrushev Medvedev Sechin Deripaska Vekselberg Abramovich Usmanov Rotenberg
Timchenko Kovalchuk Shamalov Prigozhin Utkin Gerasimov Naryshkin Bortnikov Kadyrov Surkov
Sidorov Kiriyenko Chemezov Kostin Miller Gref Nabiullina Siluanov Manturov Belousov
Kim Ri Pak Choe Jang Jon Kang Yun Han O Hong Hyon Ryu Paek Chu Kwon So Mun Jo Sin Sim
Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo Zheng
Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez
Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Thompson White Harris Clark
Morales Ortiz Gutierrez Chavez Ramos Ruiz Alvarez Mendoza Castillo Vargas Romero Herrera
Guzman Zambada Carrillo Fuentes Quintero Beltran Leyva Arellano Felix Cardenas Guillen
Mugabe Mnangagwa Chiwenga Museveni Kabila Ntaganda Lubanga Nkunda Mudacumura Habyarimana
Toure Traore Diallo Keita Coulibaly Konate Sangare Camara Sissoko Doumbia Maiga Cisse
Hamdan Dagalo Bashir Burhan Hemeti Haftar Gaddafi Qadhafi Assad Makhlouf Shalish Mamlouk
""")

SYL_START = words("ka ra mo sa ta na ha ba za la ma da fa ja ya ga pa va ko ro so to no ho bo "
                  "zo lo mi ni ri si ti ki hi bi di zi ku ru su tu nu hu bu du zu sha kha zha "
                  "cha")
SYL_MID = words("ra ma la na ri mi li ni ro mo lo no ru mu lu nu sh kh dr tr st br gr")
SUFFIX = words("ov ova ev eva in ina enko uk ski sky ovich evich yan ian shvili dze idi i ani "
               "zadeh pour li wi ong ung ang ez es as is")
ENTITY_WORDS = words("Almaz Zarya Vostok Sever Yug Zapad Neva Volga Amur Baikal Ural Kama Don Ob "
                "Sunrise Sunset Star Crescent Phoenix Falcon Eagle Lion Tiger Dragon Pearl "
                "Diamond Emerald Sapphire Ruby Golden Silver Ocean Sea Gulf Desert Oasis "
                "Horizon Summit Pinnacle Apex Zenith Orion Sirius Vega Polaris Atlas Titan "
                "Hercules Mercury Jupiter Neptune Saturn Korea Chosun Pyongyang Tehran "
                "Damascus Baghdad Tripoli Khartoum Kabul Caspian Persian Arabian Levant "
                "Ryonbong Tanchon Namchongang Kangbong Sobaeku Hyoksin Mirae Paeksan")
ENTITY_KINDS = ("Trading", "General Trading", "Shipping", "Industrial", "Technology",
                "Engineering", "Import Export", "Electronics", "Machinery", "Petroleum",
                "Investment", "Bank", "Logistics", "Marine", "Aviation", "Chemical",
                "Mining", "Construction", "Commercial", "Development", "Precision", "Defence")
LEGAL = ("LLC", "Ltd", "Co., Ltd.", "JSC", "FZE", "GmbH", "S.A.", "Limited", "Corporation",
         "Inc.", "OOO", "PJSC", "Sdn Bhd", "Pte Ltd", "", "", "")
COUNTRIES = ("RU", "IR", "KP", "SY", "IQ", "AF", "YE", "LY", "SD", "SO", "CN", "AE", "TR",
             "BY", "VE", "CU", "MM", "ML", "CD", "CF", "LB", "PK", "KE", "MX", "CO")


def surname_pool(rng: random.Random, n: int) -> list[str]:
    """Real surnames plus syllable-made ones, so the vocabulary is as large as a real list's."""
    pool = set(SURNAMES)
    while len(pool) < n:
        s = rng.choice(SYL_START) + rng.choice(SYL_MID) + rng.choice(("a", "o", "e", "i", ""))
        s += rng.choice(SUFFIX)
        pool.add(s.capitalize())
    return sorted(pool)


def entity_pool(rng: random.Random, n: int) -> list[str]:
    pool = set(ENTITY_WORDS)
    while len(pool) < n:
        w = rng.choice(SYL_START) + rng.choice(SYL_MID) + rng.choice(("a", "o", "tek", "ex",
                                                                          "on", "is", "ar"))
        pool.add(w.capitalize())
    return sorted(pool)


def person_name(rng: random.Random, lasts: list[str]) -> str:
    n = rng.choices((2, 3, 4), (5, 4, 1))[0]
    words = [rng.choice(FIRST) for _ in range(n - 1)] + [rng.choice(lasts)]
    if rng.random() < 0.4:  # lists often put the surname first
        words = [words[-1], *words[:-1]]
    return " ".join(words).upper() if rng.random() < 0.5 else " ".join(words)


def entity_name(rng: random.Random, words: list[str]) -> str:
    name = [rng.choice(words)]
    if rng.random() < 0.35:
        name.append(rng.choice(words))
    name.append(rng.choice(ENTITY_KINDS))
    legal = rng.choice(LEGAL)
    return " ".join(name + ([legal] if legal else []))


def misspell(rng: random.Random, name: str) -> str:
    words = name.split()
    i = rng.randrange(len(words))
    w = list(words[i])
    if len(w) > 3:
        k = rng.randrange(1, len(w) - 1)
        op = rng.choice(("swap", "drop", "double", "vowel"))
        if op == "swap":
            o = k + 1 if k + 1 < len(w) else k - 1
            w[k], w[o] = w[o], w[k]
        elif op == "drop":
            del w[k]
        elif op == "double":
            w.insert(k, w[k])
        else:
            w[k] = rng.choice("aeiou")
    words[i] = "".join(w)
    return " ".join(words)


def synthetic(target: int, seed: int = 7) -> list[ListEntry]:
    """Entries whose names and aliases add up to about ``target`` names."""
    rng = random.Random(seed)
    lasts = surname_pool(rng, 6000)
    words = entity_pool(rng, 4000)
    out: list[ListEntry] = []
    names = 0
    while names < target:
        k = len(out)
        if rng.random() < 0.65:
            name = person_name(rng, lasts)
            aliases: list[Alias] = []
            if rng.random() < 0.35:
                aliases.append(Alias(misspell(rng, name), STRONG, "a.k.a."))
            if rng.random() < 0.2:  # a kunya or nickname: weak
                aliases.append(Alias(f"Abu {rng.choice(FIRST)}", WEAK, "Low"))
            dob = (f"{rng.randint(1940, 1995)}" if rng.random() < 0.4 else
                   f"{rng.randint(1940, 1995)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
            entry = ListEntry(f"I-{k}", "individual", name, tuple(aliases),
                              (dob,) if rng.random() < 0.8 else (),
                              tuple(rng.sample(COUNTRIES, rng.choice((0, 1, 1, 2)))))
        else:
            name = entity_name(rng, words)
            aliases = []
            if rng.random() < 0.3:
                aliases.append(Alias("".join(w[0] for w in name.split()[:3]).upper(), WEAK,
                                     "a.k.a."))
            if rng.random() < 0.3:
                aliases.append(Alias(entity_name(rng, words), STRONG, "f.k.a."))
            kind = "vessel" if rng.random() < 0.05 else "entity"
            entry = ListEntry(f"E-{k}", kind, name, tuple(aliases), (),
                              tuple(rng.sample(COUNTRIES, rng.choice((0, 1, 1)))))
        out.append(entry)
        names += len(entry.all_names())
    return out


def real_entries() -> list[ListEntry]:
    """The real lists in ../shared/data, when the parsers (written in parallel) can read them."""
    if not DATA.is_dir():
        return []
    try:
        from app.screening.parsers import parse_file
    except ImportError as exc:
        print(f"real lists skipped: {exc}")
        return []
    out: list[ListEntry] = []
    for name in REAL_FILES:
        path = DATA / name
        if not path.exists():
            continue
        try:
            parsed = parse_file(path)
        except Exception as exc:  # a parser still being written
            print(f"real list {name} skipped: {type(exc).__name__}: {exc}")
            continue
        print(f"real list {name}: {len(parsed.entries)} entries")
        out += parsed.entries
    return out


def queries(rng: random.Random, entries: list[ListEntry], n: int) -> list[Party]:
    lasts = surname_pool(random.Random(99), 6500)
    out: list[Party] = []
    for i in range(n):
        e = rng.choice(entries)
        r = rng.random()
        if r < 0.25:
            name = e.name
        elif r < 0.5:
            name = misspell(rng, e.name)
        elif r < 0.7:
            words = e.name.split()
            rng.shuffle(words)
            name = " ".join(words)
        elif r < 0.85:
            name = person_name(rng, lasts)
        else:
            name = entity_name(rng, entity_pool(random.Random(i), 50))
        kind = rng.choice(("", "individual", "entity"))
        out.append(Party(f"p{i}", name, rng.choice(("", *COUNTRIES)), kind,
                         str(rng.randint(1940, 1995)) if rng.random() < 0.2 else ""))
    return out


def peak_memory() -> str:
    try:
        import resource
    except ImportError:  # Windows
        return ""
    return f" (process peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)"


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--names", type=int, default=50_000)
    ap.add_argument("--queries", type=int, default=2_000)
    ap.add_argument("--many", type=int, default=10_000)
    ap.add_argument("--threshold", type=int, default=82)
    ap.add_argument("--no-real", action="store_true", help="synthetic names only")
    args = ap.parse_args()

    t0 = time.perf_counter()
    entries = synthetic(args.names)
    print(f"synthetic entries: {len(entries):,} ({time.perf_counter() - t0:.1f} s to make)")
    real = [] if args.no_real else real_entries()
    items = [Indexed(1, 1, e, f"h{k}") for k, e in enumerate(entries)]
    items += [Indexed(2, 2, e, f"r{k}") for k, e in enumerate(real)]

    gc.collect()
    t0 = time.perf_counter()
    index = MatchIndex(items)
    build = time.perf_counter() - t0
    print(f"index: {index.entry_count:,} entries, {index.name_count:,} names, "
          f"built in {build:.2f} s{peak_memory()}")

    rng = random.Random(2026)
    pool = entries + real
    parties = queries(rng, pool, args.queries)
    index.screen(parties[0], args.threshold)  # warm caches the way a running app has them
    times: list[float] = []
    hits = 0
    for p in parties:
        t = time.perf_counter()
        found = index.screen(p, args.threshold)
        times.append((time.perf_counter() - t) * 1000)
        hits += bool(found)
    print(f"single party, {len(parties):,} parties at threshold {args.threshold} "
          f"({hits:,} with a hit):")
    print(f"  p50 {pct(times, 50):.2f} ms   p95 {pct(times, 95):.2f} ms   "
          f"p99 {pct(times, 99):.2f} ms   max {max(times):.2f} ms   "
          f"mean {statistics.mean(times):.2f} ms")

    many = queries(random.Random(31), pool, args.many)
    t = time.perf_counter()
    found = index.screen_many(many, args.threshold)
    total = time.perf_counter() - t
    print(f"screen_many: {len(many):,} parties in {total:.1f} s "
          f"({total / len(many) * 1000:.2f} ms each), {len(found):,} hits")

    ok = pct(times, 95) < 50 and total < 60 * len(many) / 10_000
    print("targets (p95 < 50 ms, 10,000 parties < 60 s):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
