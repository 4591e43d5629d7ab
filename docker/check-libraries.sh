#!/bin/sh
# check-libraries <dir>...: every shared object under <dir> finds the libraries it links to.
# Run at image build time, so that a wheel needing a system library the image lacks (LightGBM
# and libgomp.so.1) fails the build instead of the first run. A library ldd reports "not found"
# counts as present when the wheel vendors it beside the object (auditwheel's <pkg>.libs/): the
# extension that loads both finds it there through its RPATH.
set -eu
missing=$(find "$@" -type f \( -name '*.so' -o -name '*.so.*' \) -print | while read -r lib; do
  ldd "$lib" 2>/dev/null | sed -n 's|^[[:space:]]*\([^[:space:]]*\) => not found.*|\1|p' \
    | while read -r name; do
      [ -e "$(dirname "$lib")/$name" ] || echo "$lib: $name"
    done
done)
if [ -n "$missing" ]; then
  echo "check-libraries: shared libraries not found:" >&2
  echo "$missing" >&2
  exit 1
fi
echo "check-libraries: every shared object under $* resolves its libraries"
