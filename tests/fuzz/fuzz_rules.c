/*
 * fuzz_rules.c - libFuzzer target for the masking rules parser (common/rules.h) and the
 * in-memory helpers of common/config.h.
 *
 * The input is a rules file for rules_parse. When it is accepted, every rule must be whole
 * (names and strategy set, options a map when present), rules_find must find each rule by
 * its own names, the columns of one domain must share strategy, seed and options as the
 * format requires, and the hash must be 64 hex digits. When it is refused, the rules must be
 * left empty and err must say why. rules_free runs twice (it must be safe to).
 *
 * Environment files are only read from disk (config_resolve), so their YAML parser is not
 * fuzzed here; the input, as a C string, goes to the string helpers instead:
 * config_expand (${VAR} expansion), config_redact and config_has_password (conninfo
 * parsing, URI and key=value) and config_is_conninfo.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/rules.h"
#include "common/value.h"
#include "tests/fuzz/fuzz.h"

/* Checks the rules of an accepted file. */
static void
s_check_rules(const rules_t *rules)
{
    FUZZ_CHECK(rules->path != NULL && strcmp(rules->path, "fuzz.yaml") == 0);
    FUZZ_CHECK(strlen(rules->hash) == RULES_HASH_LEN - 1);
    FUZZ_CHECK(strspn(rules->hash, "0123456789abcdef") == RULES_HASH_LEN - 1);
    FUZZ_CHECK((rules->count == 0) == (rules->items == NULL));
    for (size_t i = 0; i < rules->count; i++) {
        const rule_t *r = &rules->items[i];

        FUZZ_CHECK(r->schema != NULL && r->table != NULL && r->column != NULL);
        FUZZ_CHECK(r->strategy != NULL);
        FUZZ_CHECK(r->line >= 1 && r->col >= 1);
        FUZZ_CHECK(r->options == NULL ||
                   (value_type(r->options) == VALUE_MAP && value_size(r->options) > 0));
        FUZZ_CHECK(rules_find(rules, r->schema, r->table, r->column) == r);
        if (r->options != NULL) {
            char *json = value_to_json(r->options);

            FUZZ_CHECK(json != NULL);
            free(json);
        }
        for (size_t j = 0; r->domain != NULL && j < i; j++) {
            const rule_t *o = &rules->items[j];

            if (o->domain == NULL || strcmp(o->domain, r->domain) != 0)
                continue;
            FUZZ_CHECK(strcmp(o->strategy, r->strategy) == 0);
            FUZZ_CHECK(o->has_seed == r->has_seed && (!r->has_seed || o->seed == r->seed));
            FUZZ_CHECK(value_equal(o->options, r->options));
        }
    }
}

/* rules_parse on the input. */
static void
s_rules(const uint8_t *data, size_t size)
{
    rules_t rules;
    err_t err;

    memset(&rules, 0, sizeof(rules));
    err_clear(&err);
    if (rules_parse((const char *) data, size, "fuzz.yaml", &rules, &err) == 0) {
        s_check_rules(&rules);
    } else {
        FUZZ_CHECK(rules.count == 0 && rules.items == NULL);
        FUZZ_CHECK(err_isset(&err) && strcmp(err.code, "rules") == 0);
        FUZZ_CHECK(strncmp(err.message, "fuzz.yaml", 9) == 0);
    }
    rules_free(&rules);
    rules_free(&rules); /* safe twice */
}

/* The string helpers of config.h on the input as a C string. */
static void
s_config(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), *out;
    err_t err;

    FUZZ_CHECK(text != NULL);
    memcpy(text, data, size);
    text[size] = '\0';
    err_clear(&err);

    out = config_expand(text, &err);
    FUZZ_CHECK(out != NULL || (err_isset(&err) && strcmp(err.code, "config") == 0));
    free(out);

    out = config_redact(text);
    FUZZ_CHECK(out != NULL);
    free(out);

    (void) config_has_password(text);
    (void) config_is_conninfo(text);
    free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    s_rules(data, size);
    s_config(data, size);
    return 0;
}
