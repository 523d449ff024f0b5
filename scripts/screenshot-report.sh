#!/usr/bin/env bash
# Opens an HTML report in headless Chromium, saves a screenshot and checks that the page really rendered.
#
#   scripts/screenshot-report.sh [REPORT.html] [OUT.png]        (defaults: report.html, out/report.png)
#
# Checks: the HTML holds the verdict table (id="verdicts"); the PNG exists, is a PNG of the requested size, is not
# trivially small, and is not a single colour (decoded with python3's zlib when python3 is there).
#
# The browser is Debian's `chromium` package. When it is missing and this runs as root with apt-get, it is
# installed; where no browser can be had the script prints why and exits 77 (the conventional "skipped" status),
# so callers can tell "could not check" from "checked and failed" (exit 1).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
report="${1:-$root/report.html}"
png="${2:-$root/out/report.png}"
width=1400
height=2000

fail() { echo "screenshot-report: FAIL: $*" >&2; exit 1; }
skip() { echo "screenshot-report: SKIPPED: $*" >&2; exit 77; }

[[ -f "$report" ]] || fail "$report does not exist (run make run first)"
grep -q 'id="verdicts"' "$report" || fail "$report has no verdict table (id=\"verdicts\")"

find_browser() {
    local name
    for name in chromium chromium-browser google-chrome-stable google-chrome; do
        if command -v "$name" > /dev/null 2>&1; then command -v "$name"; return 0; fi
    done
    return 1
}

install_chromium() {
    DEBIAN_FRONTEND=noninteractive apt-get install -y chromium > /dev/null 2>&1 && return 0
    apt-get update > /dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium > /dev/null 2>&1
}

browser="$(find_browser || true)"
if [[ -z "$browser" ]]; then
    if [[ "$(id -u)" -eq 0 ]] && command -v apt-get > /dev/null 2>&1; then
        echo "screenshot-report: installing Debian's chromium package (apt-get install -y chromium)…" >&2
        install_chromium || skip "no browser found, and apt-get install chromium failed"
        browser="$(find_browser || true)"
    fi
    [[ -n "$browser" ]] || skip "no headless browser (chromium) is installed, and none can be installed here" \
        "(not root, or no apt-get)"
fi

mkdir -p "$(dirname "$png")"
rm -f "$png"
absolute="$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
# A private profile directory and no first-run work, so the run touches nothing of the user's and is repeatable.
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --disable-extensions \
    --user-data-dir="$profile" --window-size="$width,$height" --screenshot="$png" "file://$absolute" \
    > "$profile/browser.log" 2>&1 || { cat "$profile/browser.log" >&2; fail "$browser exited with an error"; }
[[ -s "$png" ]] || { cat "$profile/browser.log" >&2; fail "$browser wrote no screenshot"; }

size=$(wc -c < "$png" | tr -d ' ')
(( size > 20000 )) || fail "$png is only $size bytes: the page is (nearly) blank"

if command -v python3 > /dev/null 2>&1; then
    python3 - "$png" "$width" "$height" <<'PY'
import struct, sys, zlib

path, want_w, want_h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = open(path, "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit(f"screenshot-report: FAIL: {path} is not a PNG")
pos, idat, header = 8, b"", None
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        header = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + length
if header is None:
    sys.exit("screenshot-report: FAIL: no IHDR chunk")
width, height, depth, colour, _, _, interlace = header
if (width, height) != (want_w, want_h):
    sys.exit(f"screenshot-report: FAIL: {width}x{height}, expected {want_w}x{want_h}")
if depth != 8 or colour not in (2, 6) or interlace != 0:
    sys.exit(f"screenshot-report: FAIL: unexpected PNG format (depth {depth}, colour type {colour})")
channels = 3 if colour == 2 else 4
stride = width * channels
raw = zlib.decompress(idat)
previous = bytearray(stride)
colours = {}
for row in range(height):
    start = row * (stride + 1)
    kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
    for i in range(stride):
        left = line[i - channels] if i >= channels else 0
        up = previous[i]
        upper_left = previous[i - channels] if i >= channels else 0
        if kind == 1:
            line[i] = (line[i] + left) & 255
        elif kind == 2:
            line[i] = (line[i] + up) & 255
        elif kind == 3:
            line[i] = (line[i] + (left + up) // 2) & 255
        elif kind == 4:
            p = left + up - upper_left
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - upper_left)
            predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else upper_left)
            line[i] = (line[i] + predictor) & 255
    previous = line
    if row % 4 == 0:
        for x in range(0, stride, channels * 4):
            pixel = bytes(line[x:x + 3])
            colours[pixel] = colours.get(pixel, 0) + 1
total = sum(colours.values())
background = max(colours.values())
inked = 1 - background / total
if len(colours) < 8 or inked < 0.02:
    sys.exit(f"screenshot-report: FAIL: the page looks blank ({len(colours)} colours, {inked:.1%} not background)")
print(f"screenshot-report: {len(colours)} distinct colours, {inked:.1%} of sampled pixels not background")
PY
else
    echo "screenshot-report: python3 not found; checked the PNG's size only" >&2
fi
echo "screenshot-report: ok: $png ($size bytes) from $report"
