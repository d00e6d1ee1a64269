/*
 * fuzz.h - what the libFuzzer targets of tests/fuzz/ share.
 *
 * A target checks properties of the code under test (a decoded body encodes and decodes back
 * to itself, a rewritten row splits into as many fields as the original...) on top of the
 * sanitizers' own checks. A property that does not hold is a bug: FUZZ_CHECK prints which
 * one and aborts, and libFuzzer saves the input. Nothing else prints: a target never logs.
 */
#ifndef CONFITURE_FUZZ_H
#define CONFITURE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* libFuzzer's entry point: runs one input; always returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts, naming the property and where it is checked, when cond is false. */
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: fuzz property failed: %s\n", __FILE__, __LINE__, #cond);       \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#endif
