#!/usr/bin/env python3
"""Turns the benchmark outputs of one bench/run.sh run into bench/results.md and bench/results.json.

Inputs (paths given by run.sh):
  --criterion DIR          criterion output of the main crate's benches (target/criterion)
  --peers-criterion DIR    criterion output of bench/peers (bench/peers/target/criterion); may be missing
  --interleaved FILE       interleaved.json written by benches/interleaved.rs
  --size FILE              size.json written by run.sh (the stripped release cdylib)
  --kotlin FILE --swift FILE   results written by the Kotlin and Swift facade benches; "pending" when absent
  --meta FILE              machine and toolchain facts (JSON) written by run.sh
  --previous FILE          the previous results.json: rows this run did not measure (a skipped step) keep its
                           figures, marked as from that run; optional

Every target is a ratio of two numbers measured in the same run; absolute times are reported, never asserted.
Standard library only.
"""

import argparse
import json
import os
import re
import sys


def load_json(path):
    if not path or not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def estimate(root, group, bench):
    """Median time per iteration in ns of one criterion benchmark, or None."""
    if not root:
        return None
    data = load_json(os.path.join(root, group, bench, "new", "estimates.json"))
    if data is None:
        return None
    return data["median"]["point_estimate"]


def fmt_ns(ns):
    if ns is None:
        return "—"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.2f} ns"


def find_result(results, patterns):
    """First result whose name matches one of the regexes (case-insensitive)."""
    for pat in patterns:
        for r in results:
            if re.search(pat, r.get("name", ""), re.IGNORECASE):
                return r
    return None


def facade_rows(a):
    """Issue 10's rows: the Kotlin and Swift facades answering from their decision mirror (no crossing)."""
    rows = []
    specs = [
        ("Kotlin", a.kotlin, "kotlin_facade_decide", "Kotlin facade `decide(p, d)` from the mirror",
         [r"^facade decide \(mirror\)"], "`HashMap<String,Boolean>.get` of one precomputed combined key",
         [r"^HashMap<String,Boolean>"], "≤ 2x", lambda r: r <= 2.0, False),
        ("Kotlin", a.kotlin, "kotlin_facade_vs_ffi_call", "Kotlin facade `decide(p, d)` from the mirror",
         [r"^facade decide \(mirror\)"], "the method `decideCode(p, d)` across UniFFI (the cheapest exported decision call)",
         [r"method decideCode"], "≥ 50x faster", lambda r: r >= 50, True),
        ("Kotlin", a.kotlin, "kotlin_facade_collect", "Kotlin facade `collect` (no frequency limit), amortised",
         [r"^facade collect, no frequency limit"], "facade `decide`", [r"^facade decide \(mirror\)"],
         "≤ 3x", lambda r: r <= 3.0, False),
        ("Swift", a.swift, "swift_facade_decide", "Swift facade `decide(p, d)` from the mirror (release)",
         [r"^facade_decide_mirror$"], "`[String: Bool]` lookup of one precomputed combined key",
         [r"^dictionary_lookup$"], "≤ 1.5x", lambda r: r <= 1.5, False),
        ("Swift", a.swift, "swift_facade_collect", "Swift facade `collect` (no frequency limit), amortised",
         [r"^facade_collect$"], "facade `decide`", [r"^facade_decide_mirror$"], "≤ 3x", lambda r: r <= 3.0, False),
    ]
    for lang, path, id_, what, ck_pat, ref_what, ref_pat, target, ok, speedup in specs:
        data = load_json(path)
        results = data.get("results", []) if data else []
        ck, ref = find_result(results, ck_pat), find_result(results, ref_pat)
        row = dict(id=id_, what=what, reference_what=ref_what, target=target, unit="time")
        if ck is None or ref is None:
            row.update(consentkit=None, reference=None, ratio=None, status="pending",
                       note=f"{os.path.basename(path) if path else 'results file'} lacks these results")
        else:
            ratio = ref["ns_per_op"] / ck["ns_per_op"] if speedup else ck["ns_per_op"] / ref["ns_per_op"]
            row.update(consentkit=ck["ns_per_op"], reference=ref["ns_per_op"], ratio=ratio,
                       status="pass" if ok(ratio) else "miss",
                       note=f"{lang}: \"{ck['name']}\" vs \"{ref['name']}\" (medians)" +
                            ("; ratio = reference / facade (speed-up)" if speedup else ""))
        rows.append(row)
    return rows


def build_rows(a):
    c, p = a.criterion, a.peers_criterion
    rows = []

    def add(id_, what, ck, ref_what, ref, target, ok, ratio=None, note="", unit="time"):
        if ratio is None and ck is not None and ref:
            ratio = ck / ref
        status = "missing" if ck is None or (ref is None and unit == "time") else ("pass" if ok(ck, ref, ratio) else "miss")
        rows.append(dict(id=id_, what=what, consentkit=ck, reference_what=ref_what, reference=ref, ratio=ratio,
                         target=target, status=status, note=note, unit=unit))

    ck = estimate(c, "decide_string", "consentkit")
    ref = estimate(c, "decide_string", "hashmap_reference")
    add("decide_string", "`decide(purpose, data_type)` by string id, in process (`Engine::decide`)", ck,
        "one `HashMap<String,bool>` lookup of the combined key", ref, "≤ 1.5x", lambda x, y, r: r <= 1.5)

    ck = estimate(c, "decide_handle", "consentkit")
    ref = estimate(c, "decide_handle", "array_bit_reference")
    code = estimate(c, "decide_handle", "decide_code")
    note = ""
    if ck is not None:
        note = (f"absolute: {fmt_ns(ck)} ({'within' if ck <= 5 else 'above'} the 5 ns mark; reported, not asserted)"
                + (f"; exported `decide_code`: {fmt_ns(code)}" if code is not None else ""))
    add("decide_handle", "`decide` by interned handle (`Engine::decide_handles`)", ck,
        "a bare array index + bit test", ref, "≤ 2x (≤ 5 ns absolute: report)", lambda x, y, r: r <= 2.0, note=note)

    ck_s = estimate(p, "peers", "consentkit_decide_string")
    ck_h = estimate(p, "peers", "consentkit_decide_handles")
    for peer, bench, what in [("cedar", "cedar_is_authorized", "cedar-policy `Authorizer::is_authorized` (equivalent policy set)"),
                              ("casbin", "casbin_enforce", "casbin-rs `Enforcer::enforce` (ACL model, equivalent policies)")]:
        ref = estimate(p, "peers", bench)
        speed = ref / ck_s if (ref and ck_s) else None
        note = "ratio = peer time / ConsentKit time (speed-up), string path; peers crate built with cargo's default release profile"
        if ref and ck_h:
            note += f"; by handle: {fmt_ns(ck_h)}, {ref / ck_h:,.0f}x"
        add(f"peers_{peer}", "the same decision (`Engine::decide` by string id)", ck_s, what, ref,
            "ConsentKit ≥ 50x faster", lambda x, y, r: r >= 50, ratio=speed, note=note)

    ck = estimate(c, "resolve_5_tiers", "consentkit")
    ref = estimate(c, "resolve_5_tiers", "decide_x4_reference")
    by_handle = estimate(c, "resolve_5_tiers", "snapshot_resolution_by_handle")
    add("resolve_5_tiers", "`resolve(feature)` with 5 tiers (`ConsentKit::resolve`, in process)", ck,
        "`decide` by string x 4 (the purposes the 5 tiers involve)", ref, "≤ 1.2x", lambda x, y, r: r <= 1.2,
        note=(f"the snapshot's precomputed resolution by handle: {fmt_ns(by_handle)}" if by_handle is not None else ""))

    ck = estimate(c, "collect", "consentkit_amortised")
    ref = estimate(c, "collect", "decide_handle_reference")
    rate = 1e9 / ck if ck else None
    add("collect", "`collect` with access log, amortised (batched flush every 4096, by handles)", ck,
        "`decide` by handles", ref, "≥ 1M collect/s single thread", lambda x, y, r: rate >= 1e6,
        note=(f"{rate / 1e6:.2f} M collect/s; ratio column = collect / decide" if rate else ""))

    ck = estimate(c, "collect_limited", "consentkit")
    ref = estimate(c, "collect_limited", "raw_sqlite_upsert_reference")
    add("collect_limited", "`collect` of a frequency-limited type (counted in SQLite, holds across processes)", ck,
        "one raw SQLite upsert transaction, WAL, synchronous=NORMAL", ref, "≤ 1.5x", lambda x, y, r: r <= 1.5,
        note="docs/rules.md §7: the count is in the database so the limit holds across reopen, instances, processes")

    inter = load_json(a.interleaved) or {}
    dg = inter.get("durable_grant")
    ck = dg["grant"]["median_ns"] if dg else None
    ref = dg["raw_insert"]["median_ns"] if dg else None
    add("durable_grant", "durable `grant` (ledger row + state + hash + HMAC, one fsync; the head written in place beside it, no fsync)", ck,
        "one raw rusqlite INSERT, WAL, synchronous=FULL, same disk", ref, "≤ 1.3x", lambda x, y, r: r <= 1.3,
        note=(f"medians of {dg['grant']['samples']} interleaved ops; withdraw {fmt_ns(dg['withdraw']['median_ns'])}; "
              f"means: grant {fmt_ns(dg['grant']['mean_ns'])}, insert {fmt_ns(dg['raw_insert']['mean_ns'])}"
              + load_note(dg) if dg else ""))

    for id_, label in [("first_answer_100", "100"), ("first_answer_1k", "1,000"), ("first_answer_10k", "10,000")]:
        fa = inter.get(id_)
        ck = fa["first_answer"]["median_ns"] if fa else None
        ref = fa["reference"]["median_ns"] if fa else None
        add(id_, f"first answer: `open` + `next_prompt(AppStart)` + `resolve(feature)` + `decide(p, d)`, "
            f"{fa['rows'] if fa else label:,} ledger rows, 40-purpose manifest (cold: CPU caches flushed, every "
            "connection and the shared engine closed before)", ck,
            "open the same SQLite file with rusqlite, read one row (cold likewise)", ref, "≤ 2x",
            lambda x, y, r: r <= 2.0, note=first_answer_note(fa))

    fw = inter.get("first_write_10k")
    ck = fw["grant"]["median_ns"] if fw else None
    ref = fw["raw_insert"]["median_ns"] if fw else None
    add("first_write_10k", f"first durable `grant` after a cold `open` of the {fw['rows'] if fw else 10000:,}-row file "
        "(the grant alone, timed after open returned)", ck,
        "one raw rusqlite INSERT, WAL, synchronous=FULL, same disk (the `durable_grant` reference)", ref, "≤ 1.5x",
        lambda x, y, r: r <= 1.5, note=first_write_note(fw))

    rows += facade_rows(a)

    rows += receiver_rows(a)

    ct = inter.get("contention")
    if ct:
        alone, withw = ct["alone_ops_per_s"]["median_ns"], ct["with_writer_ops_per_s"]["median_ns"]
        ratio = withw / alone
        rows.append(dict(id="contention", what=f"read throughput, {ct['readers']} threads `decide_handles` + 1 thread granting/withdrawing",
                         consentkit=withw, reference_what=f"{ct['readers']} threads, no writer", reference=alone, ratio=ratio,
                         target="≥ 0.8x", status="pass" if ratio >= 0.8 else "miss", unit="ops/s",
                         note=contention_note(ct)))
    else:
        rows.append(dict(id="contention", what="read throughput under contention", consentkit=None, reference=None,
                         reference_what="8 threads, no writer", ratio=None, target="≥ 0.8x", status="missing", unit="ops/s", note=""))

    size = load_json(a.size)
    if size:
        b = size["bytes"]
        rows.append(dict(id="cdylib_size", what=f"release cdylib `{size['file']}` ({size['target']}, stripped, LTO, opt-level \"s\" (sha2: 3), panic=unwind)",
                         consentkit=b, reference_what="—", reference=None, ratio=None, target="≤ 2.5 MB (report)",
                         status="pass" if b <= 2.5e6 else "miss", unit="bytes",
                         note=f"{b / 1e6:.2f} MB ({b / 1048576:.2f} MiB)"))
    else:
        rows.append(dict(id="cdylib_size", what="release cdylib size", consentkit=None, reference=None, reference_what="—",
                         ratio=None, target="≤ 2.5 MB (report)", status="missing", unit="bytes", note=""))
    return rows


def receiver_rows(a):
    """The receipt receiver's row (issue 21): throughput and batch latency, reported, from the JSON line
    `server/bench.sh` prints (saved as bench/receiver-results.json)."""
    rec = load_json(a.receiver)
    what = "receipt receiver: simulated installs pushing signed receipt batches concurrently (`server/bench.sh`: " \
           "PostgreSQL with fsync on, loopback)"
    if not rec:
        return [dict(id="receipts_receiver", what=what, consentkit=None, reference=None, reference_what="—",
                     ratio=None, target="report (receipts/s, p99)", status="pending", unit="receipts/s", note="")]
    return [dict(id="receipts_receiver",
                 what=f"receipt receiver: {rec['installs']} simulated installs × {rec['batches_per_install']} batches × "
                      f"{rec['receipts_per_batch']} signed receipts, pushed concurrently (`server/bench.sh`: PostgreSQL "
                      f"with fsync on, loopback, pool {rec['pool']})",
                 consentkit=rec["receipts_per_s"], reference=None, reference_what="—", ratio=None,
                 target="report (receipts/s, p99)", status="report", unit="receipts/s",
                 note=f"{rec['receipts']:,} receipts stored in {rec['seconds']} s; batch latency p50 "
                      f"{rec['batch_p50_ms']} ms, p99 {rec['batch_p99_ms']} ms, max {rec['batch_max_ms']} ms")]


def load_note(d):
    """`; load average x y z` when the part recorded the machine's load as it finished."""
    return f"; load average (1, 5, 15 min) when measured: {d['load_average']}" if d.get("load_average") else ""


def first_answer_note(fa):
    """A first-answer row's note: how it was measured, means and tails, open alone, the context numbers."""
    if not fa:
        return ""
    a, r, o = fa["first_answer"], fa["reference"], fa["open"]
    note = (f"medians of {a['samples']} interleaved rounds per side, each open after a {fa['flush_bytes'] >> 20} MiB "
            f"cache flush; absolute: {a['median_ns'] / 1e6:.3f} ms vs {r['median_ns'] / 1e6:.3f} ms (`open` alone "
            f"{o['median_ns'] / 1e6:.3f} ms); means {a['mean_ns'] / 1e6:.3f} vs {r['mean_ns'] / 1e6:.3f} ms "
            f"({a['mean_ns'] / r['mean_ns']:.2f}x); p90 {a['p90_ns'] / 1e6:.3f} vs {r['p90_ns'] / 1e6:.3f} ms; "
            f"`verify_integrity()` (the full check, not part of open) took {fa['verify_integrity']['median_ns'] / 1e6:.1f} ms")
    if "warm_first_answer" in fa:
        wo, wr = fa["warm_first_answer"]["median_ns"], fa["warm_reference"]["median_ns"]
        note += f"; the same without the flush: {wo / 1e6:.3f} vs {wr / 1e6:.3f} ms ({wo / wr:.2f}x)"
    return note + load_note(fa)


def first_write_note(fw):
    """The first-write row's note."""
    if not fw:
        return ""
    g, i = fw["grant"], fw["raw_insert"]
    return (f"medians of {g['samples']} rounds, each a {fw['flush_bytes'] >> 20} MiB cache flush, an untimed `open`, "
            f"the timed grant, an untimed withdrawal and close, interleaved with the raw insert; means "
            f"{g['mean_ns'] / 1e3:.0f} vs {i['mean_ns'] / 1e3:.0f} µs; p90 {g['p90_ns'] / 1e3:.0f} vs "
            f"{i['p90_ns'] / 1e3:.0f} µs; the open before the grant {fw['open_before']['median_ns'] / 1e6:.3f} ms; "
            f"context: a raw first INSERT right after a cold rusqlite open "
            f"{fw['raw_first_insert_after_cold_open']['median_ns'] / 1e3:.0f} µs (SQLite's own first write after its "
            f"own close deleted the log: the log is created again, its header and the directory are synced before "
            f"the frames, three syncs; ConsentKit's close leaves the log started, docs/reliability.md), against "
            f"which the grant "
            f"is {g['median_ns'] / fw['raw_first_insert_after_cold_open']['median_ns']:.2f}x" + load_note(fw))


def contention_note(ct):
    """What the contention row's ratio is made of: the writer's CPU share and, as context, a raw SQLite writer."""
    note = f"{ct['writes_per_s']['median_ns']:.0f} durable writes/s during the runs"
    if "writer_cpu_cores" in ct:
        cpu = ct["writer_cpu_cores"]["median_ns"]
        note += (f"; the writer thread used {cpu * 100:.0f}% of a core of {ct['cores']:.0f}, so plain CPU sharing "
                 f"alone would leave {1 - cpu / ct['cores']:.2f}x")
    if "with_raw_sqlite_writer_ops_per_s" in ct:
        raw = ct["with_raw_sqlite_writer_ops_per_s"]["median_ns"] / ct["alone_ops_per_s"]["median_ns"]
        note += (f"; context: a thread doing durable raw SQLite inserts instead ({ct['raw_inserts_per_s']['median_ns']:.0f}/s) "
                 f"leaves the readers {raw:.2f}x")
    return note + load_note(ct)


def carry_over(rows, previous):
    """Rows this run did not measure ("missing": a step skipped, e.g. SKIP_PEERS=1) take their figures from the
    previous results file, when it has them, marked with the run they come from; nothing else is carried."""
    if not previous:
        return rows
    meta = previous.get("meta", {})
    run = f"{meta.get('date (UTC)', 'an earlier run')}, commit {meta.get('commit', 'unknown')}"
    before = {r["id"]: r for r in previous.get("rows", [])}
    out = []
    for r in rows:
        old = before.get(r["id"])
        if r["status"] == "missing" and old and old.get("status") not in (None, "missing", "pending"):
            kept = dict(old)
            kept.setdefault("earlier_run", run)
            out.append(kept)
        else:
            out.append(r)
    return out


def status_cell(row):
    s = f"**{row['status']}**"
    return s + " (earlier run: not re-measured)" if row.get("earlier_run") else s


def cell(row, key):
    v = row.get(key)
    if v is None:
        return "pending" if row["status"] == "pending" else "—"
    if row.get("unit") == "ops/s":
        return f"{v / 1e6:.1f} M/s"
    if row.get("unit") == "bytes":
        return f"{v / 1e6:.2f} MB"
    if row.get("unit") == "receipts/s":
        return f"{v:,.0f} receipts/s"
    return fmt_ns(v)


def ratio_cell(row):
    r = row.get("ratio")
    if r is None:
        return "—"
    if row["id"].startswith("peers_") or row["id"].endswith("_vs_ffi_call"):
        return f"{r:,.0f}x faster"
    return f"{r:.2f}x"


def render_md(rows, meta):
    out = ["# Benchmarks: the gate against its floor and its peers", "",
           "Written by `bench/run.sh` (do not edit by hand). Each ratio compares two numbers measured in the same run on "
           "the same machine; absolute times are reported for orientation only — this is a shared, noisy 2-core VM.", "",
           "| what | ConsentKit | reference | ratio | target | result |", "|---|---|---|---|---|---|"]
    for r in rows:
        ref = r["reference_what"] + (f" ({cell(r, 'reference')})" if r.get("reference") is not None else "")
        out.append(f"| {r['what']} | {cell(r, 'consentkit')} | {ref} | {ratio_cell(r)} | {r['target']} | "
                   f"{status_cell(r)} |")
    out += ["", "## Notes per row", ""]
    for r in rows:
        if r.get("earlier_run"):
            out.append(f"- `{r['id']}`: **not re-measured in this run: figures from the run of {r['earlier_run']}.** "
                       + (r.get("note") or ""))
        elif r.get("note"):
            out.append(f"- `{r['id']}`: {r['note']}")
    passed = sum(r["status"] == "pass" for r in rows)
    missed = [r["id"] for r in rows if r["status"] == "miss"]
    pending = [r["id"] for r in rows if r["status"] in ("pending", "missing")]
    earlier = [r["id"] for r in rows if r.get("earlier_run")]
    files = [r["id"] for r in rows if r["id"].startswith(("kotlin_", "swift_", "receipts_")) and r["status"] != "pending"]
    here = [r["id"] for r in rows if not r.get("earlier_run") and r["id"] not in files
            and r["status"] not in ("pending", "missing")]
    out += ["", "Measured by this run: " + (", ".join(here) or "nothing") + ". "
            + (f"Read from the results files of the bindings' and the receiver's own benches (not measured by `run.sh`): "
               f"{', '.join(files)}. " if files else "")
            + (f"Not re-measured, figures from an earlier run: {', '.join(earlier)}." if earlier else "")]
    out += ["", f"**{passed} pass, {len(missed)} miss ({', '.join(missed) or 'none'}), "
                f"{len(pending)} pending/missing ({', '.join(pending) or 'none'}).**"
                + (f" Carried from an earlier run, not re-measured: {', '.join(earlier)}." if earlier else ""), "",
            "## Run", ""]
    for k, v in meta.items():
        out.append(f"- {k}: {v}")
    out += ["", "Method: `bench/README.md`. Times are criterion medians (per iteration) unless the note says otherwise.", ""]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    for name in ["criterion", "peers-criterion", "interleaved", "size", "kotlin", "swift", "receiver", "meta", "md",
                 "json", "previous"]:
        ap.add_argument(f"--{name}")
    a = ap.parse_args()
    rows = carry_over(build_rows(a), load_json(a.previous))
    meta = load_json(a.meta) or {}
    with open(a.md, "w", encoding="utf-8") as f:
        f.write(render_md(rows, meta))
    with open(a.json, "w", encoding="utf-8") as f:
        json.dump({"format": 1, "meta": meta, "rows": rows}, f, indent=2, ensure_ascii=False)
        f.write("\n")
    for r in rows:
        print(f"{r['status']:>8}  {r['id']:<18} {ratio_cell(r):>16}  {r['target']}"
              + ("  (earlier run, not re-measured)" if r.get("earlier_run") else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
