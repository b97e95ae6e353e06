#!/bin/sh
# macOS: a .dmg holding Reviewer.app (packaging/README.md). NOT BUILT OR TESTED by the project: its
# machines are Linux only. Run on a Mac (Apple silicon or Intel: the .app runs on the kind it was
# built on), in a virtual environment with Reviewer, torch (PyPI's macOS wheels are CPU/MPS
# builds), PyInstaller and Pillow (for the .icns) installed:
#     sh packaging/make-dmg.sh
# Output: dist/Reviewer-<version>-macos-<arch>.dmg. Without signing and notarisation (an Apple
# developer account), Gatekeeper blocks the first start: right-click Reviewer.app > Open.
set -eu
cd "$(dirname "$0")/.."
version=$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
arch=$(uname -m)
pyinstaller --noconfirm --clean --distpath build/bundle/dist --workpath build/bundle/work packaging/reviewer.spec
app=build/bundle/dist/Reviewer.app
# Optional: codesign --deep --force --options runtime --sign "Developer ID Application: ..." "$app"
stage=build/bundle/dmg
rm -rf "$stage" && mkdir -p "$stage" dist
cp -R "$app" "$stage/"
ln -s /Applications "$stage/Applications"
hdiutil create -volname "Reviewer $version" -srcfolder "$stage" -ov -format UDZO \
    "dist/Reviewer-$version-macos-$arch.dmg"
# Optional: xcrun notarytool submit dist/Reviewer-*.dmg --keychain-profile ... --wait
