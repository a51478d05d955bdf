# Sourced by xmllint.sh and chromium.sh: builds the report pages both check,
# with the driver, into $out. Sets the arrays pages (file names) and
# page_jobs (each page's job count, from the driver's --stats line).
#   needs: $driver $here (tests/report) $data (tests/data) $out
pages=()
page_jobs=()
page_script=()

# build NAME SCRIPT(1|0) DRIVER_ARGS...
build() {
    local name=$1 script=$2
    shift 2
    "$driver" "$@" --stats "$out/$name" 2> "$out/$name.stats" ||
        { cat "$out/$name.stats" >&2; echo "FAIL: the driver could not build $name" >&2; exit 1; }
    pages+=("$name")
    page_jobs+=("$(sed -n 's/.* jobs=\([0-9]*\) .*/\1/p' "$out/$name.stats")")
    page_script+=("$script")
}

build example.html 1 --listing "$data/example/listing.jsonl" --uri 'gs://bkt/**' \
    --max-objects 40 --simulate-run --store projects/p/locations/l/datasets/d/dicomStores/s \
    --plan-path plan.json
# Every string from outside made hostile: names (one not UTF-8), title, store,
# source, plan path, findings, operation names, error messages, log URLs.
build hostile.html 1 --listing "$here/hostile.jsonl" --uri 'gs://bkt/**' --max-objects 2 \
    --append $'zz/\xff\xfe-not-utf8\x1b.dcm' \
    --title $'</title><script>alert(11)</script>\xff\xe2\x80\xae' \
    --store 'projects/"><b>x</b>' --source $'\x1b]0;title\x07 & <i>' \
    --plan-path "it's a plan.json" --journal "$here/hostile-journal.jsonl" \
    --preflight-json "$here/hostile-preflight.json"
build generated.html 1 --generate 30000 --max-objects 2000 --max-bytes 5G --max-nodes 400 \
    --simulate-run
build noscript.html 0 --listing "$data/example/listing.jsonl" --uri 'gs://bkt/studies/**.dcm' \
    --max-objects 25 --no-script
