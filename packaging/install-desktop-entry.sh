#!/bin/sh
# Put Reviewer in your desktop's application menu (for you only): a desktop entry and the icon under
# ~/.local/share. `./install-desktop-entry.sh --remove` takes them away again. Reviewer itself needs
# neither: ./reviewer runs from this folder as it is.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
share=${XDG_DATA_HOME:-$HOME/.local/share}
entry=$share/applications/reviewer.desktop
icon=$share/icons/hicolor/256x256/apps/reviewer.png

if [ "${1:-}" = --remove ]; then
    rm -f "$entry" "$icon"
    echo "Removed $entry and $icon"
    exit 0
fi
mkdir -p "$(dirname "$entry")" "$(dirname "$icon")"
cp "$here/reviewer.png" "$icon"
sed "s|^Exec=reviewer|Exec=\"$here/reviewer\"|" "$here/reviewer.desktop" > "$entry"
chmod 644 "$entry"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$share/applications" || true
echo "Added Reviewer to the application menu ($entry)"
