#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpus of the boot-input fuzzer (tests/fuzz/corpus-boot/):
one well-formed input per parser of tests/fuzz/fuzz_boot.c, each behind the
byte that selects it. Run it again after changing the input layout:
python3 tests/fuzz/boot_seeds.py"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus-boot")
MB2, ACPI, TABLE, MB1, LINUX, ATA, CMDLINE = range(7)
BIOS_AREA = 0xE0000


def checksum(b):
    return (-sum(b)) & 0xFF


def table(sig, body, rev=1):
    """An ACPI table (ACPI 6.4 5.2.6) with a correct checksum."""
    t = bytearray(sig + struct.pack("<IBB", 36 + len(body), rev, 0) +
                  b"KEEL  " + b"KEELTEST" + struct.pack("<I", 1) + b"KEEL" +
                  struct.pack("<I", 1)) + body
    t[9] = checksum(t)
    return bytes(t)


def acpi_tables():
    madt = struct.pack("<II", 0xFEE00000, 1)
    madt += bytes([0, 8, 0, 0, 1, 0, 0, 0])
    madt += bytes([1, 12, 0, 0]) + struct.pack("<II", 0xFEC00000, 0)
    madt += bytes([2, 10, 0, 0]) + struct.pack("<IH", 2, 0)
    madt += bytes([4, 6, 0xFF, 5, 0, 1])
    madt += bytes([9, 16, 0, 0]) + struct.pack("<III", 1, 1, 1)
    fadt = bytearray(244 - 36)
    struct.pack_into("<I", fadt, 40 - 36, BIOS_AREA + 0xA00)  # DSDT
    struct.pack_into("<I", fadt, 64 - 36, 0x604)  # PM1a_CNT
    struct.pack_into("<I", fadt, 76 - 36, 0x608)  # PM_TMR
    fadt[91 - 36] = 4  # PM_TMR_LEN
    struct.pack_into("<I", fadt, 112 - 36, 1 << 10)  # RESET_REG_SUP
    fadt[116 - 36] = 1  # reset register in I/O space
    struct.pack_into("<Q", fadt, 120 - 36, 0xCF9)
    fadt[128 - 36] = 6
    dmar = bytes([38, 1]) + bytes(10)
    dmar += struct.pack("<HHBBHQ", 0, 24, 1, 0, 0, 0xFED90000)
    dmar += bytes([1, 8, 0, 0, 0, 0, 0x1F, 0])
    dmar += struct.pack("<HHHHQQ", 1, 32, 0, 0, 0x100000, 0x1FFFFF)
    dmar += bytes([1, 8, 0, 0, 0, 0, 0x14, 0])
    mcfg = bytes(8) + struct.pack("<QHBBI", 0xB0000000, 0, 0, 255, 0)
    hpet = struct.pack("<I", 0x8086A201) + bytes([0, 64, 0, 0])
    hpet += struct.pack("<Q", 0xFED00000) + bytes([0, 0x80, 0, 0])
    dsdt = b"\x08_S5_\x12\x06\x04\x0a\x05\x0a\x05\x00\x00"
    return {0x200: table(b"APIC", madt), 0x400: table(b"FACP", bytes(fadt), 5),
            0x600: table(b"DMAR", dmar), 0x800: table(b"MCFG", mcfg),
            0x900: table(b"HPET", hpet), 0xA00: table(b"DSDT", dsdt)}


def acpi_area():
    """The BIOS area: an ACPI 1.0 RSDP, its RSDT, and the tables."""
    mem = bytearray(0x1000)
    tables = acpi_tables()
    for off, t in tables.items():
        mem[off:off + len(t)] = t
    entries = [BIOS_AREA + off for off in sorted(tables) if off != 0xA00]
    rsdt = table(b"RSDT", struct.pack("<%dI" % len(entries), *entries))
    mem[0x100:0x100 + len(rsdt)] = rsdt
    rsdp = bytearray(b"RSD PTR " + bytes(1) + b"KEEL  " + bytes(1) +
                     struct.pack("<I", BIOS_AREA + 0x100))
    rsdp[8] = checksum(rsdp)
    mem[0:len(rsdp)] = rsdp
    return bytes(mem)


def mb2_tag(kind, body):
    t = struct.pack("<II", kind, 8 + len(body)) + body
    return t + bytes(-len(t) % 8)


def mb2_info():
    tags = mb2_tag(1, b"console=com1 loglevel=7\0")
    tags += mb2_tag(3, struct.pack("<II", 0x200000, 0x300000) + b"guest\0")
    tags += mb2_tag(6, struct.pack("<II", 24, 0) +
                    struct.pack("<QQII", 0, 0x9FC00, 1, 0) +
                    struct.pack("<QQII", 0x100000, 0x7F00000, 1, 0))
    tags += mb2_tag(8, struct.pack("<QIIIBBH", 0xFD000000, 4096, 1024, 768,
                                   32, 1, 0) + bytes([16, 8, 8, 8, 0, 8]))
    tags += mb2_tag(17, struct.pack("<II", 48, 1) +
                    struct.pack("<IIQQQQ", 7, 0, 0, 0, 256, 0) + bytes(8))
    tags += mb2_tag(0, b"")
    return struct.pack("<II", 8 + len(tags), 0) + tags


def mb1_header(flags):
    return struct.pack("<III", 0x1BADB002, flags,
                       -(0x1BADB002 + flags) & 0xFFFFFFFF)


def mb1_elf32():
    img = bytearray(0x400)
    img[0:4] = b"\x7fELF"
    img[4], img[5], img[16], img[18] = 1, 1, 2, 3
    struct.pack_into("<II", img, 24, 0x100000, 52)
    img[42], img[44] = 32, 1
    struct.pack_into("<IIIIII", img, 52, 1, 0x200, 0x100000, 0x100000,
                     0x100, 0x200)
    img[0x200:0x20C] = mb1_header(3)
    return bytes(img)


def mb1_aout():
    img = bytearray(0x400)
    img[0:12] = mb1_header(0x10000)
    struct.pack_into("<IIIII", img, 12, 0x100000, 0x100000, 0x100400,
                     0x101000, 0x100020)
    return bytes(img)


def bzimage():
    k = bytearray(1024 + 0x3000)
    k[0x1F1] = 1  # setup_sects
    struct.pack_into("<I", k, 0x1F4, 0x3000 // 16)  # syssize
    struct.pack_into("<H", k, 0x1FE, 0xAA55)
    k[0x200], k[0x201] = 0xEB, 0x62  # header ends at 0x264
    struct.pack_into("<IH", k, 0x202, 0x53726448, 0x020F)
    k[0x211] = 1  # LOADED_HIGH
    struct.pack_into("<I", k, 0x22C, 0x7FFFFFFF)  # initrd_addr_max
    struct.pack_into("<I", k, 0x230, 0x200000)  # kernel_alignment
    k[0x234], k[0x235] = 1, 21  # relocatable, min_alignment
    struct.pack_into("<I", k, 0x238, 2048)  # cmdline_size
    struct.pack_into("<Q", k, 0x258, 0x1000000)  # pref_address
    struct.pack_into("<I", k, 0x260, 0x400000)  # init_size
    return bytes(k)


def identify():
    w = [0] * 256
    w[49] = (1 << 9) | (1 << 8)  # LBA, DMA
    w[83], w[86] = 0x4000 | (1 << 10), 1 << 10  # LBA48
    w[60], w[61], w[100] = 0xFFFF, 0x0FFF, 0x1000
    w[75], w[76] = 31, 1 << 8  # NCQ, depth 32
    w[106] = 0x4000 | (1 << 13) | (1 << 12) | 3
    w[117] = 2048
    return struct.pack("<256H", *w)


SEEDS = {
    "mb2": (MB2, mb2_info()),
    "acpi": (ACPI, acpi_area()),
    "acpi-dmar": (TABLE, acpi_tables()[0x600]),
    "acpi-madt": (TABLE, acpi_tables()[0x200]),
    "mb1-elf32": (MB1, mb1_elf32()),
    "mb1-aout": (MB1, mb1_aout()),
    "linux": (LINUX, bzimage()),
    "ata": (ATA, identify()),
    "cmdline": (CMDLINE, b"console=com1,fb loglevel=7 guest_mem=64M "
                b"guest_disk=sda:2048+4096,ro pci_hide=00:1f.2,00:02.0 "
                b"passthrough=00:03.0 test=all poweroff"),
}

if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for name, (mode, data) in SEEDS.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(bytes([mode]) + data)
