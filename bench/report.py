"""Print bench/results.json as the table the README's performance section shows."""
from __future__ import annotations

import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.json"


def lines(data: dict) -> list[str]:
    """Markdown rows for every figure the benchmarks recorded."""
    rows = ["| what | SQLite | PostgreSQL |", "|---|---|---|"]

    def both(label, pick):
        values = []
        for db in ("sqlite", "postgresql"):
            try:
                values.append(pick(db))
            except (KeyError, TypeError):
                values.append("–")
        rows.append(f"| {label} | {values[0]} | {values[1]} |")

    engine = data.get("engine", {})
    if engine:
        rows.append(f"| SpiffWorkflow alone, in memory, per task completion (median) | "
                    f"{engine['in_memory']['median_ms']} ms | |")
        if "in_memory_serialized" in engine:
            rows.append(f"| the same plus serializing the state | "
                        f"{engine['in_memory_serialized']['median_ms']} ms | |")
        both("minimal durable persistence (SpiffWorkflow + state in one row + commit, driver only)",
             lambda db: f"{engine[db]['minimal_persistence']['median_ms']} ms")
        both("persisted task completion, 1 process: median / p99",
             lambda db: f"{engine[db]['one_process']['median_ms']} / {engine[db]['one_process']['p99_ms']} ms")
        both("persisted, 1 process: completions per second", lambda db: engine[db]["one_process"]["per_second"])
        both("persisted, 1 process, state deserialized every time (no workflow cache): median",
             lambda db: f"{engine[db]['one_process_uncached']['median_ms']} ms")
        both("persisted, 2 processes: median / p99",
             lambda db: f"{engine[db]['two_processes']['median_ms']} / {engine[db]['two_processes']['p99_ms']} ms")
        both("persisted, 2 processes: completions per second", lambda db: engine[db]["two_processes"]["per_second"])
        both("ratio persisted / in memory", lambda db: f"{engine[db]['ratio_to_in_memory']}×")
        both("ratio persisted / minimal durable persistence",
             lambda db: f"{engine[db]['ratio_to_minimal_persistence']}×")
    breakdown = data.get("breakdown", {})
    if breakdown:
        both("one completion: statements besides BEGIN/COMMIT; the bare driver's time for them",
             lambda db: f"{breakdown[db]['statements']}; {breakdown[db]['driver_ms']} ms")
        case = breakdown["violence_case"]
        rows.append(f"| a violence case ({case['tasks']} SpiffWorkflow tasks, {case['state_bytes']:,} bytes of state): "
                    f"serialize / deserialize | {case['dumps_ms']} / {case['loads_ms']} ms | |")
    timers = data.get("timers", {})
    if timers:
        both("timer firing delay with 10,000 pending: median / p99",
             lambda db: f"{timers[db]['delay']['saved_median_ms']} / {timers[db]['delay']['saved_p99_ms']} ms")
        for n in ("1000", "10000", "100000"):
            both(f"timer sweep with 10 due, {int(n):,} open cases",
                 lambda db, n=n: f"{timers[db]['sweep'][n]['sweep_10_due_ms']} ms")
    web = data.get("http", {})
    if web:
        for n in ("1000", "10000", "100000"):
            both(f"inbox / case page at {int(n):,} cases (median)",
                 lambda db, n=n: f"{web[db]['scale'][n]['inbox']['median_ms']} / {web[db]['scale'][n]['case_page']['median_ms']} ms")
        both("web start-up with 100k cases", lambda db: f"{web[db]['server']['startup_s']} s")
        both("web memory (2 workers), after load", lambda db: f"{web[db]['server']['memory_mb_after_load']} MiB")
        for clients in ("1", "8", "32"):
            both(f"{clients} clients: inbox median / p99",
                 lambda db, c=clients: f"{web[db]['load'][c]['inbox']['median_ms']} / {web[db]['load'][c]['inbox']['p99_ms']} ms")
            both(f"{clients} clients: task submit median / p99",
                 lambda db, c=clients: f"{web[db]['load'][c]['submit']['median_ms']} / {web[db]['load'][c]['submit']['p99_ms']} ms")
    organisation = data.get("organisation", {})
    for size in ("3k", "30k"):
        if size in organisation:
            row = organisation[size]
            rows.append(f"| {row['people']:,} people: inbox / case page / report form / person search (median) | "
                        + " / ".join(f"{row[page]['median_ms']}" for page in
                                     ("inbox", "case_page", "report_form", "person_search")) + " ms | |")
    figures = data.get("figures", {})
    if figures:
        both("inbox at 1,000 cases; 'Tal og tendenser' at 100,000 for the region / a hospital (median)",
             lambda db: f"{figures[db]['inbox_1000']['median_ms']}; {figures[db]['figures_region']['median_ms']} / "
                        f"{figures[db]['figures_hospital']['median_ms']} ms")
        both("the same, counted afresh (the first view within the cache setting): region / hospital",
             lambda db: f"{figures[db]['cold_region']['median_ms']} / {figures[db]['cold_hospital']['median_ms']} ms")
    privacy = data.get("privacy_pages", {})
    if privacy:
        rows.append(f"| \"Mine anmeldelser\" with {privacy['my_reports_reports']:,} reports: page (median); access-log rows "
                    f"per view | {privacy['my_reports_page_ms']} ms; {privacy['my_reports_access_log_rows_per_view']} | |")
        rows.append(f"| a wrong password: existing account / unknown name (median) | "
                    f"{privacy['wrong_password_known_account_ms']} / {privacy['wrong_password_unknown_name_ms']} ms | |")
    sync = data.get("directory_sync", {})
    if sync:
        people = sync["sqlite"]["first"]["people"]
        units = sync["sqlite"]["first"]["units"]
        both(f"directory sync of {people:,} people / {units:,} units, first (all new): dry run / apply",
             lambda db: f"{sync[db]['first']['preview_s']} / {sync[db]['first']['apply_s']} s")
        both("the same, a night's changes (300 left, 300 joined, 600 moved, 100 tasks handed over): dry run / apply",
             lambda db: f"{sync[db]['night']['preview_s']} / {sync[db]['night']['apply_s']} s")
        both("role resolution on the snapshot, before / after the night's sync",
             lambda db: f"{sync[db]['before']['resolve_us']} / {sync[db]['after']['resolve_us']} µs")
    machine = data.get("machine", {})
    rows.append("")
    rows.append(f"Machine: {machine.get('cpus')} cores ({machine.get('cpu')}), {machine.get('memory_gib')} GiB, "
                f"Python {machine.get('python')}.")
    return rows


def main() -> None:
    if not RESULTS.exists():
        print("no bench/results.json yet: run `make bench`")
        return
    print("\n".join(lines(json.loads(RESULTS.read_text()))))


if __name__ == "__main__":
    main()
