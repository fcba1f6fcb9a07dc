/* SPDX-License-Identifier: MIT */
/*
 * Keel's small C library: string and memory helpers, number parsing and
 * formatted printing into buffers. On the host the string functions come from
 * libc; kvsnprintf and the parsers are Keel's own everywhere so that host
 * tests exercise the same code that runs in Keel.
 */
#ifndef KEEL_CORE_LIB_H
#define KEEL_CORE_LIB_H

#include <stdarg.h>
#include "core/types.h"

#ifdef KEEL_HOST
#include <string.h>
#else
void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
#endif

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/*
 * Parse an unsigned number with an optional 0x prefix and an optional K/M/G
 * size suffix (when @suffix is true). Returns 0 and stores it in *out, or
 * -EINVAL when @s is not entirely a number, -ERANGE on overflow.
 */
int kstrtou64(const char *s, size_t len, bool suffix, u64 *out);

#endif
