#!/usr/bin/env bash
# Install the build into a temporary prefix, then build and run a consumer
# against it twice: with find_package(gcsplan) and with pkg-config.
# Usage: run.sh BUILD_DIR CONSUMER_SOURCE_DIR C_COMPILER
set -eu
build=$1 src=$2 cc=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" > "$tmp/install.log"
# A sanitizer build's libraries need the sanitizer runtime in the consumer.
san=$(sed -n 's/^GCSPLAN_SANITIZE:[A-Z]*=//p' "$build/CMakeCache.txt")
flags=${san:+-fsanitize=$san}

cmake -S "$src" -B "$tmp/cmake" -DCMAKE_PREFIX_PATH="$tmp/prefix" -DCMAKE_C_COMPILER="$cc" \
  -DCMAKE_C_FLAGS="$flags" > "$tmp/configure.log"
cmake --build "$tmp/cmake" > "$tmp/build.log"
LD_LIBRARY_PATH="$tmp/prefix/lib:$tmp/prefix/lib64" "$tmp/cmake/consumer_shared"
"$tmp/cmake/consumer_static"
# The shared library exports only the gcsplan_ API.
lib=$(ls "$tmp"/prefix/lib*/libgcsplan.so | head -1)
bad=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBR]$/ && $3 !~ /^gcsplan_/ { print $3 }')
if [ -n "$bad" ]; then echo "symbols outside the gcsplan_ prefix: $bad"; exit 1; fi

pc=$(dirname "$(find "$tmp/prefix" -name gcsplan.pc | head -1)")
export PKG_CONFIG_PATH=$pc
"$cc" $flags $(pkg-config --cflags gcsplan) "$src/main.c" -o "$tmp/pc_shared" $(pkg-config --libs gcsplan)
LD_LIBRARY_PATH="$tmp/prefix/lib:$tmp/prefix/lib64" "$tmp/pc_shared"
"$cc" $flags $(pkg-config --cflags --static gcsplan) "$src/main.c" -o "$tmp/pc_static" \
  "$(dirname "$lib")/libgcsplan.a" $(pkg-config --libs-only-other --static gcsplan)
"$tmp/pc_static"
echo "4 passed, 0 failed"
