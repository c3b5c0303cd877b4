#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (run from anywhere; rewrites the seed files).

unpack_columns_fuzz/: packed values from the spec's section 11 table, plus a few edge cases.
changes_insert_fuzz/: inputs in the byte format decoded by changes_insert_fuzz.cpp
(rows, post flags, then per row: table, pk, cid, val, col_version, db_version, site, cl, seq).
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

PACKED = {
    "empty_list": "00",
    "int_0": "0101",
    "int_1": "010901",
    "int_128": "010980",
    "int_256": "01110100",
    "int_65536": "0119010000",
    "int_2p32": "01290100000000",
    "int_max": "01417FFFFFFFFFFFFFFF",
    "int_minus1": "0141FFFFFFFFFFFFFFFF",
    "int_min": "01418000000000000000",
    "real_0": "01020000000000000000",
    "real_neg0": "01028000000000000000",
    "real_pi": "0102400921F9F01B866E",
    "text_empty": "0103",
    "text_a": "010B0161",
    "text_hello_utf8": "010B0668C3A96C6C6F",
    "blob_empty": "0104",
    "blob_00ff": "010C0200FF",
    "null": "0105",
    "five_values": "050901" "0B0374776F" "024008000000000000" "0C0104" "05",
    "three_values": "03090C0B037374720C03010203",
    "composite_pk": "0209020B0161",
    "trailing_bytes": "010901DEADBEEF",
    "zero_extended_128": "010980",
    "non_canonical_int": "0111007F",
    "truncated": "02090109",
    "bad_type": "0106",
}


def changes_seed(rows, post=0x21):
    return bytes([len(rows) - 1, post]) + b"".join(rows)


def counter_small(v):  # AnyCounter kind 0: value = (u8 % 8) - 1
    return bytes([0, v + 1])


def counter_int(v):  # AnyCounter kind 2: 8 bytes big-endian
    return bytes([2]) + struct.pack(">q", v)


def val_int8(v):  # AnyValue kind 1
    return bytes([1, v & 0xFF])


def val_text(s):  # AnyValue kind 4
    return bytes([4, len(s)]) + s


def row(table, pk, cid, val, col_version, db_version, site, cl, seq):
    return bytes([table]) + pk + cid + val + col_version + db_version + site + cl + seq


PK_INT = lambda i: bytes([0, 6, i - 1])  # valid packing, AnyValue kind 6 (1 + u8 % 3)
PK_COMP = bytes([0, 7, 0, 6, 0])  # ('a', 1)
CID = lambda i: bytes([1, i])  # kColumnNames[i]
SENTINEL = bytes([0])
SITE_A = bytes([2])
SITE_B = bytes([3])

CHANGES = {
    "update_existing": changes_seed([row(0, PK_INT(1), CID(0), val_int8(42), counter_small(5),
                                         counter_small(3), SITE_A, counter_small(1), counter_small(0))]),
    "insert_new_row": changes_seed([row(0, bytes([0, 2]) + struct.pack(">Q", 99), CID(1),
                                        val_text(b"hello"), counter_small(1), counter_small(1),
                                        SITE_B, counter_small(1), counter_small(0))]),
    "delete_and_resurrect": changes_seed([
        row(0, PK_INT(1), SENTINEL, bytes([0]), counter_small(2), counter_small(4), SITE_A,
            counter_small(2), counter_small(0)),
        row(0, PK_INT(1), CID(2), bytes([8, 3]), counter_small(1), counter_small(5), SITE_A,
            counter_small(3), counter_small(1)),
    ]),
    "composite_and_strict": changes_seed([
        row(2, PK_COMP, CID(3), val_text(b"x"), counter_small(2), counter_small(2), SITE_B,
            counter_small(1), counter_small(0)),
        row(4, PK_INT(1), CID(5), val_int8(-3), counter_small(2), counter_small(2), SITE_B,
            counter_small(1), counter_small(1)),
        row(4, PK_INT(2), CID(6), val_text(b"far too long text"), counter_small(2),
            counter_small(2), SITE_B, counter_small(1), counter_small(2)),
    ], post=0x3F),
    "extreme_versions": changes_seed([row(1, bytes([0, 7, 0]), CID(3), val_int8(1),
                                          counter_int(2**63 - 1), counter_int(-(2**63)), SITE_A,
                                          counter_int(2**63 - 1), counter_int(-1))]),
    "pk_only_sentinel": changes_seed([row(3, bytes([0, 6, 1, 7, 1]), SENTINEL, bytes([0]),
                                          counter_small(1), counter_small(1), SITE_A,
                                          counter_small(1), counter_small(0))]),
}


def write(dirname, files):
    path = os.path.join(HERE, dirname)
    os.makedirs(path, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(path, name), "wb") as f:
            f.write(data)


write("unpack_columns_fuzz", {k: bytes.fromhex(v) for k, v in PACKED.items()})
write("changes_insert_fuzz", CHANGES)
