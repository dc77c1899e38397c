#!/usr/bin/env bash
# Generates Go code for Flotilla's protos (proto/flotilla/v1/*.proto) into a GOPATH, as the Go
# package `flotillav1` (import path "flotilla/v1", like the proto package), with Debian's protoc, protoc-gen-go and
# protoc-gen-go-grpc. The protos carry no go_package option (a language's option in the contract
# would be a change for every other language), so each file is mapped with --go_opt=M<file>=<path>.
#
#   bash clients/go/generate.sh GOPATH_DIR      # writes GOPATH_DIR/src/flotilla/v1/*.pb.go
#
# Then build offline in GOPATH mode, with Debian's Go packages (golang-google-grpc-dev,
# golang-google-protobuf-dev, golang-github-golang-protobuf-1-5-dev) from /usr/share/gocode:
#
#   GO111MODULE=off GOPATH=GOPATH_DIR:/usr/share/gocode go build -o run_application ./clients/go
set -euo pipefail

if (($# != 1)); then
  echo "usage: $0 GOPATH_DIR" >&2
  exit 2
fi
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=$1
import_path=flotilla/v1
package_name=flotillav1
for tool in protoc protoc-gen-go protoc-gen-go-grpc; do
  if ! command -v "$tool" >/dev/null; then
    echo "$tool is missing: sudo apt-get install -y protobuf-compiler protoc-gen-go protoc-gen-go-grpc" >&2
    exit 1
  fi
done
if [[ ! -f /usr/include/google/protobuf/timestamp.proto ]]; then
  echo "/usr/include/google/protobuf/timestamp.proto is missing: sudo apt-get install -y libprotobuf-dev" >&2
  exit 1
fi

cd "$root/proto"
files=(flotilla/v1/*.proto)
mappings=()
for file in "${files[@]}"; do
  mappings+=("M$file=$import_path;$package_name")
done
go_opts=$(IFS=,; echo "${mappings[*]}")
mkdir -p "$out/src"
protoc -I . -I /usr/include \
  --go_out="$out/src" --go_opt="$go_opts" \
  --go-grpc_out="$out/src" --go-grpc_opt="$go_opts" \
  "${files[@]}"
echo "generated $out/src/$import_path from ${#files[@]} files ($(protoc --version))"
