#!/usr/bin/env python3
"""mkcpio.py OUT DIR: write DIR as a gzip'd newc cpio archive (an initramfs).

The "new ASCII" format of cpio(5), as the kernel's initramfs unpacker
reads it (Documentation/driver-api/early-userspace/buffer-format.rst).
Entries are sorted and timestamps zeroed, so the archive is reproducible.
"""
import gzip
import os
import stat
import sys


def header(ino, mode, size, nlink, name):
    fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, 0, 0, len(name) + 1, 0]
    return b"070701" + b"".join(b"%08X" % f for f in fields)


def pad4(n):
    return b"\0" * ((4 - n % 4) % 4)


def entry(out, ino, mode, name, data=b"", nlink=1):
    hdr = header(ino, mode, len(data), nlink, name)
    out.append(hdr + name.encode() + b"\0")
    out.append(pad4(len(hdr) + len(name) + 1))
    out.append(data + pad4(len(data)))


def main():
    out_path, root = sys.argv[1], sys.argv[2]
    out = []
    ino = 1
    for dirpath, dirnames, filenames in sorted(os.walk(root)):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                data = os.readlink(path).encode()
            elif stat.S_ISREG(st.st_mode):
                with open(path, "rb") as f:
                    data = f.read()
            else:
                data = b""
            entry(out, ino, st.st_mode, rel, data,
                  2 if stat.S_ISDIR(st.st_mode) else 1)
            ino += 1
    entry(out, 0, 0, "TRAILER!!!")
    with open(out_path, "wb") as f:
        f.write(gzip.compress(b"".join(out), mtime=0))


if __name__ == "__main__":
    main()
