# test/lib/render.sh: rendering in Debian's headless Chromium, for the picture
# suites (test/scripts/map_render.sh, demo_pictures.sh).
#   render FILE [W,H]   FILE (an SVG at its own size, or a page at W,H) to the
#                       PNG beside it (FILE without its extension, .png);
#                       prints "W H", or "no" with Chromium's messages on stderr
#   stats PNG ARGS...   what the PNG shows (test/lib/png_stats.py)
#   viridis             map_svg's five class colours, as stats arguments
# $settle_chrome is empty when Chromium is not installed.
settle_chrome=$(command -v chromium || true)
settle_render_lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
viridis="c1=440154:30 c2=3b528b:30 c3=21918c:30 c4=5ec962:30 c5=fde725:30"
render() {
    local size=${2:-$(sed -n '1s/^<svg [^>]*width="\([0-9]*\)" height="\([0-9]*\)".*/\1,\2/p' "$1")}
    "$settle_chrome" --headless --no-sandbox --disable-gpu --disable-background-networking --hide-scrollbars \
        --window-size="$size" --screenshot="${1%.*}.png" "file://$1" >"${1%.*}.chrome.log" 2>&1
    [ -s "${1%.*}.png" ] && echo "${size/,/ }" || { sed 's/^/# /' "${1%.*}.chrome.log" >&2; echo no; }
}
stats() { python3 "$settle_render_lib/png_stats.py" "$@"; }
