"""Search benchmark: 20,000 articles and cases in the search index, median query time.

    DATABASE_URL=sqlite:////tmp/awards-bench-search.sqlite3 .venv/bin/python bench/search.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/awards_bench_search \
        .venv/bin/python bench/search.py

Migrates the database named by DATABASE_URL (default: a SQLite file in /tmp), fills the index
once with synthetic Chinese texts built from the seeds' vocabulary (segmented with jieba like
real ones), then runs each query 30 times and prints the median and 95th percentile (ms) of
`judging.content.search.search` (the ranked id query plus the documents' load).
"""

import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/awards-bench-search.sqlite3")

import django  # noqa: E402
import jieba  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from judging.content.models import SearchDocument  # noqa: E402
from judging.content.search import search  # noqa: E402
from judging.content.segment import segment_text  # noqa: E402

SIZE = int(os.environ.get("BENCH_SEARCH_DOCUMENTS", "20000"))
WORDS = [
    "数字政府",
    "建设",
    "政务服务",
    "一网通办",
    "基层治理",
    "社会信用",
    "体系",
    "乡贤",
    "咨询委员会",
    "舆情",
    "引导",
    "大数据",
    "公共服务",
    "智慧城市",
    "网格化",
    "管理",
    "民生",
    "微信",
    "平台",
    "改革",
    "创新",
    "乡村振兴",
    "营商环境",
    "法治",
    "应急",
    "疫情防控",
    "放管服",
    "数据共享",
    "城市大脑",
    "人工智能",
    "区块链",
    "社区",
    "志愿服务",
    "生态",
    "环保",
    "河长制",
    "扶贫",
    "产业园",
    "市场监管",
    "食品",
    "安全",
    "风险",
    "监管",
    "医疗",
    "教育",
    "养老",
    "交通",
]
QUERIES = [
    "数字政府建设",
    "乡贤咨询委员会",
    "舆情引导",
    "城市大脑 人工智能",
    "河长制",
    "营商环境改革",
]


def vocabulary():
    """The seeds' words plus 5,000 common words of jieba's own dictionary: texts share the
    seed vocabulary sometimes, not always, as real articles do."""
    dictionary = Path(jieba.__file__).parent / "dict.txt"
    rows = [line.split() for line in dictionary.read_text(encoding="utf-8").splitlines()]
    common = sorted((row for row in rows if len(row[0]) >= 2), key=lambda r: -int(r[1]))
    return [row[0] for row in common[:5000]]


def fill():
    rng = random.Random(11)
    common = vocabulary()
    now = timezone.now() - timedelta(days=1)
    batch = []
    for n in range(SIZE):
        title = "".join(rng.sample(common, 2) + rng.sample(WORDS, 1))
        sentences = [
            "".join(rng.sample(common, 5) + rng.sample(WORDS, rng.randint(0, 1)))
            for _ in range(rng.randint(10, 30))
        ]
        text = ",".join(sentences)
        batch.append(
            SearchDocument(
                kind="article" if n % 2 else "case",
                object_id=n + 1,
                title=title,
                url=f"/bench/{n}/",
                text=text,
                terms=f"{segment_text(title)} {segment_text(title)} {segment_text(text)}",
                visible_from=now,
            )
        )
        if len(batch) == 1000:
            SearchDocument.objects.bulk_create(batch)
            batch = []
    SearchDocument.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE judging_searchdocument")


def main():
    call_command("migrate", verbosity=0)
    if SearchDocument.objects.count() != SIZE:
        SearchDocument.objects.all().delete()
        started = time.perf_counter()
        fill()
        print(f"indexed {SIZE} documents in {time.perf_counter() - started:.1f} s")
    search("预热")
    print(f"{connection.vendor}: {SIZE} documents, 30 runs per query")
    print(f"{'query':<16} {'hits':>5} {'median ms':>10} {'p95 ms':>8}")
    medians = []
    for query in QUERIES:
        timings = []
        for _ in range(30):
            started = time.perf_counter()
            _terms, results = search(query)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        medians.append(statistics.median(timings))
        print(f"{query:<16} {len(results):>5} {medians[-1]:>10.2f} {timings[28]:>8.2f}")
    print(f"median over queries: {statistics.median(medians):.2f} ms")


if __name__ == "__main__":
    main()
