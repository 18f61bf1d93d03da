#!/usr/bin/env bash
# `faultline report` on the command line: garbage in the logs and in the working-set
# samples, a directory without logs, --html and --no-html. Usage: report_cli_test.sh FAULTLINE GUEST_DIR CASE
set -u
faultline=$1
guests=$2
case_name=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ulimit -c 0

fail() { echo "FAIL: $*"; echo "--- stdout"; cat "$work/out"; echo "--- stderr"; cat "$work/err"; exit 1; }
run() {
    timeout 60 "$faultline" "$@" >"$work/out" 2>"$work/err" </dev/null
    status=$?
}
expect_status() { [ "$status" -eq "$1" ] || fail "exit status $status, expected $1"; }
expect_stdout() { grep -qE -- "$1" "$work/out" || fail "stdout does not match /$1/"; }
expect_stderr() { grep -qE -- "$1" "$work/err" || fail "stderr does not match /$1/"; }

make_log() {
    run run --fault-log "$work/log" -- "$guests/cli/touch_pages" 1
    expect_status 0
    [ -f "$work/log/2.faults.jsonl" ] || fail "no fault log"
}

case "$case_name" in
garbage)
    # Good lines with garbage between them, a log cut short, and a file of random bytes:
    # every bad line is named once as FILE:LINE, the rest is reported, exit 0.
    make_log
    log="$work/log/2.faults.jsonl"
    good=$(wc -l <"$log")
    { head -n 3 "$log"; echo 'not json'; echo '{"seq":'; echo '[]'; tail -n +4 "$log" | head -c -40; } >"$work/mixed"
    mv "$work/mixed" "$log"
    head -c 20000 /dev/urandom >"$work/log/9.faults.jsonl"
    run report "$work/log"
    expect_status 0
    expect_stderr "2\.faults\.jsonl:4: skipped: column 1: expected a JSON value"
    expect_stderr "2\.faults\.jsonl:5: skipped: "
    expect_stderr "2\.faults\.jsonl:6: skipped: not a JSON object"
    expect_stderr "2\.faults\.jsonl:$((good + 3)): skipped: "
    [ "$(grep -c '2\.faults\.jsonl:4:' "$work/err")" -eq 1 ] || fail "line 4 named more than once"
    # 10 lines named at most per file, then one summary line.
    [ "$(grep -c '9\.faults\.jsonl' "$work/err")" -le 11 ] || fail "random bytes flooded stderr"
    expect_stdout "^ +2 +touch_pages +$((good - 1)) "
    expect_stdout "malformed lines skipped"
    [ -s "$work/log/report.html" ] || fail "no report.html"
    grep -q 'malformed_lines":[1-9]' "$work/log/report.html" || fail "the page does not count the malformed lines"
    ;;
access-garbage)
    # Working-set samples with garbage between them and a sample whose runs do not add up:
    # each bad line named once, the rest in the table and on the page, exit 0.
    run run --fault-log "$work/log" --sample-access 20us -- "$guests/cli/touch_pages" 1
    expect_status 0
    log="$work/log/2.access.jsonl"
    [ -f "$log" ] || fail "no access log"
    samples=$(wc -l <"$log")
    { head -n 2 "$log"; echo '{"seq":'; echo '{"seq":1,"time_ns":0,"pid":2,"period_ns":20000,"pages":5,"runs":[[4096,1]]}'
      tail -n +3 "$log"; } >"$work/mixed"
    mv "$work/mixed" "$log"
    run report "$work/log"
    expect_status 0
    expect_stderr "2\.access\.jsonl:3: skipped: "
    expect_stderr "2\.access\.jsonl:4: skipped: field \"pages\" is 5, the runs hold 1"
    [ "$(grep -c '2\.access\.jsonl:3:' "$work/err")" -eq 1 ] || fail "line 3 named more than once"
    expect_stdout "; $samples working-set samples from 1 files \(2 malformed lines skipped\)"
    expect_stdout "^Working set \(pages touched per 20\.0 us period\)"
    expect_stdout "^ +2 +touch_pages +$samples "
    grep -q 'access_malformed_lines":2' "$work/log/report.html" || fail "the page does not count the malformed samples"
    # Samples without fault logs are not a report.
    rm "$work/log/2.faults.jsonl"
    run report "$work/log"
    expect_status 1
    expect_stderr "no \*\.faults\.jsonl files"
    ;;
no-logs)
    mkdir "$work/empty"
    run report "$work/empty"
    expect_status 1
    expect_stderr "^faultline: report: .*empty: no \*\.faults\.jsonl files"
    run report "$work/missing"
    expect_status 1
    expect_stderr "^faultline: report: .*missing: not a directory"
    run report
    expect_status 125
    ;;
html-options)
    make_log
    run report --no-html "$work/log"
    expect_status 0
    expect_stdout "^Processes"
    expect_stdout "^Busiest VMAs"
    [ ! -e "$work/log/report.html" ] || fail "--no-html wrote a page"
    run report --html "$work/elsewhere.html" "$work/log"
    expect_status 0
    expect_stdout "wrote .*elsewhere\.html"
    [ -s "$work/elsewhere.html" ] || fail "--html FILE was not written"
    [ ! -e "$work/log/report.html" ] || fail "--html FILE also wrote DIR/report.html"
    ;;
*)
    echo "unknown case $case_name"
    exit 2
    ;;
esac
echo "ok: $case_name"
