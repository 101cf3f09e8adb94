#!/usr/bin/env bash
# Renders the cart's command barcodes (Code 128) with zint, for printing on
# the cart: packaging/command-barcodes.sh DIR [svg|png]. docs/commands/ holds
# the SVGs this made; tests/system/test_symbols.sh reads the PNGs back.
set -eu
dir=$1
type=${2:-svg}
mkdir -p "$dir"
for c in USE WASTE RETURN BILLONLY CONSIGN QTY:2 QTY:3 QTY:5 QTY:10 UNDO \
    OVERRIDE CANCEL END; do
	zint --barcode=20 --scale=2 --quietzones --data="POU:$c" \
	    -o "$dir/pou-${c/:/-}.$type" > /dev/null
done
