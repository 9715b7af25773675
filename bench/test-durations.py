#!/usr/bin/env python3
"""Where a test run's time goes: the slowest tests and fixtures of NUnit TRX files, and the
totals per file. ./test.sh writes one file per tier (.build/test-results/fast.trx and
end-to-end.trx; NUnit's TRX does not carry the categories), so the totals are the tiers'.

    ./test.sh                      # or: dotnet test ... --logger "trx;LogFileName=$PWD/.build/x.trx"
    bench/test-durations.py .build/test-results/*.trx [--top 15]

Reads the TRX XML with the standard library's parser; prints plain text, the tiers last."""
import argparse
import collections
import os
import re
import sys
import xml.etree.ElementTree as ElementTree

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}


def seconds(duration):
    hours, minutes, rest = duration.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(rest)


def read(path):
    root = ElementTree.parse(path).getroot()
    tier = os.path.splitext(os.path.basename(path))[0]
    fixtures = {test.get("id"): test.find("t:TestMethod", NS).get("className") for test in root.iterfind("t:TestDefinitions/t:UnitTest", NS)}
    for result in root.iterfind("t:Results/t:UnitTestResult", NS):
        yield result.get("testName"), fixtures.get(result.get("testId"), "?"), tier, seconds(result.get("duration", "0:0:0")), result.get("outcome")


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
        print(f"  {took:7.1f} s  {tier:10}  {fixture.rsplit('.', 1)[-1]}.{name}" + ("" if outcome == "Passed" else f"  ({outcome})"))

    fixtures = collections.defaultdict(lambda: [0.0, 0, ""])
    for _, fixture, tier, took, _ in results:
        fixtures[fixture][0] += took
        fixtures[fixture][1] += 1
        fixtures[fixture][2] = tier
    print(f"slowest {options.top} fixtures:")
    for fixture, (took, count, tier) in sorted(fixtures.items(), key=lambda item: -item[1][0])[: options.top]:
        short = re.sub(r"^Pipeline\.Tests\.", "", fixture)
        print(f"  {took:7.1f} s  {tier:10}  {short} ({count} tests)")

    tiers = collections.defaultdict(lambda: [0.0, 0])
    for _, _, tier, took, _ in results:
        tiers[tier][0] += took
        tiers[tier][1] += 1
    print("tiers: " + "; ".join(f"{tier} {took:.1f} s in {count} tests" for tier, (took, count) in sorted(tiers.items())))


if __name__ == "__main__":
    main()
