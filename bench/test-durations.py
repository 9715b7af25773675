#!/usr/bin/env python3
"""Where a test run's time goes: the slowest tests and fixtures of NUnit TRX files, and the
totals per tier (the NUnit category EndToEnd, Builds, or the fast tier: no category).

    dotnet test tests/Build.Tests --logger "trx;LogFileName=$PWD/.build/tests.trx"
    bench/test-durations.py .build/tests.trx [more.trx ...] [--top 15]

Reads the TRX XML with the standard library's parser; prints plain text, the tiers last."""
import argparse
import collections
import re
import sys
import xml.etree.ElementTree as ElementTree

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}


def seconds(duration):
    hours, minutes, rest = duration.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(rest)


def read(path):
    root = ElementTree.parse(path).getroot()
    definitions = {}
    for test in root.iterfind("t:TestDefinitions/t:UnitTest", NS):
        method = test.find("t:TestMethod", NS)
        categories = [item.get("TestCategory") for item in test.iterfind("t:TestCategory/t:TestCategoryItem", NS)]
        definitions[test.get("id")] = (method.get("className"), categories)
    for result in root.iterfind("t:Results/t:UnitTestResult", NS):
        fixture, categories = definitions.get(result.get("testId"), ("?", []))
        tier = "EndToEnd" if "EndToEnd" in categories else "Builds" if "Builds" in categories else "fast"
        yield result.get("testName"), fixture, tier, seconds(result.get("duration", "0:0:0")), result.get("outcome")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("trx", nargs="+")
    parser.add_argument("--top", type=int, default=15)
    options = parser.parse_args()
    results = [row for path in options.trx for row in read(path)]
    if not results:
        sys.exit("no test results in " + ", ".join(options.trx))

    print(f"slowest {options.top} tests:")
    for name, fixture, tier, took, outcome in sorted(results, key=lambda row: -row[3])[: options.top]:
        print(f"  {took:7.1f} s  {tier:8}  {fixture.rsplit('.', 1)[-1]}.{name}" + ("" if outcome == "Passed" else f"  ({outcome})"))

    fixtures = collections.defaultdict(lambda: [0.0, 0, ""])
    for _, fixture, tier, took, _ in results:
        fixtures[fixture][0] += took
        fixtures[fixture][1] += 1
        fixtures[fixture][2] = tier
    print(f"slowest {options.top} fixtures:")
    for fixture, (took, count, tier) in sorted(fixtures.items(), key=lambda item: -item[1][0])[: options.top]:
        short = re.sub(r"^Pipeline\.Tests\.", "", fixture)
        print(f"  {took:7.1f} s  {tier:8}  {short} ({count} tests)")

    tiers = collections.defaultdict(lambda: [0.0, 0])
    for _, _, tier, took, _ in results:
        tiers[tier][0] += took
        tiers[tier][1] += 1
    print("tiers: " + "; ".join(f"{tier} {took:.1f} s in {count} tests" for tier, (took, count) in sorted(tiers.items())))


if __name__ == "__main__":
    main()
