/*
 * fuzz_dtype.c — libFuzzer target for dossier type declarations (the workflow definitions of
 * src/core/types/NAME.json), checked by dtype_check (src/core/dtype.c).
 *
 * The input is a declaration as JSON text (corpus/dtype/ starts from the real ones). Properties
 * checked, beyond ASan and UBSan:
 *   - dtype_check leaves the declaration as it was, gives the same answer twice, and on refusal
 *     writes a message that fits its buffer;
 *   - an accepted declaration is one the engine can run: a type name of a-z and _, a title field,
 *     an initial state that exists and is not final, create requiring title, every action starting
 *     from existing states that are not final and going to an existing state, and every field list
 *     naming declared fields.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dtype.h"
#include "fuzz.h"

/* True when arr is absent, or an array of names of fields. */
static bool names_fields(json_t *arr, json_t *fields) {
    if (!arr) return true;
    if (!json_is_array(arr)) return false;
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
        if (!json_is_string(v) || !json_object_get(fields, json_string_value(v))) return false;
    return true;
}

/* True when state names a state of states that is not final. */
static bool live_state(json_t *states, json_t *state) {
    json_t *s = json_is_string(state) ? json_object_get(states, json_string_value(state)) : NULL;
    return json_is_object(s) && !json_is_true(json_object_get(s, "final"));
}

/* The properties of an accepted declaration d. */
static void check_accepted(json_t *d) {
    const char *name = json_string_value(json_object_get(d, "type"));
    REQUIRE(name && *name && strspn(name, "abcdefghijklmnopqrstuvwxyz_") == strlen(name));
    json_t *fields = json_object_get(d, "fields"), *states = json_object_get(d, "states");
    REQUIRE(json_is_object(fields) && json_object_get(fields, "title"));
    REQUIRE(json_is_object(states) && json_object_size(states) > 0);
    REQUIRE(live_state(states, json_object_get(d, "initial")));
    json_t *create = json_object_get(d, "create");
    REQUIRE(dtype_has(json_object_get(create, "required"), "title"));
    REQUIRE(names_fields(json_object_get(create, "required"), fields));
    REQUIRE(names_fields(json_object_get(create, "optional"), fields));
    const char *k;
    json_t *a;
    json_object_foreach(json_object_get(d, "actions"), k, a) {
        json_t *from = json_object_get(a, "from"), *to = json_object_get(a, "to");
        REQUIRE(json_is_array(from) && json_array_size(from) > 0);
        size_t i;
        json_t *s;
        json_array_foreach(from, i, s) REQUIRE(live_state(states, s));
        REQUIRE(!to || (json_is_string(to) && json_object_get(states, json_string_value(to))));
        REQUIRE(names_fields(json_object_get(a, "required"), fields));
        REQUIRE(names_fields(json_object_get(a, "optional"), fields));
        REQUIRE(names_fields(json_object_get(a, "needs"), fields));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    json_error_t je;
    json_t *d = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    if (!d) return 0;
    char *before = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    char err[200], err2[200];
    memset(err, 'x', sizeof err);
    bool ok = dtype_check(d, err, sizeof err);
    bool ok2 = dtype_check(d, err2, sizeof err2);
    REQUIRE(ok == ok2);
    if (!ok) REQUIRE(memchr(err, 0, sizeof err) != NULL && err[0] != 0 && strcmp(err, err2) == 0);
    char *after = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    REQUIRE(before && after && strcmp(before, after) == 0);
    if (ok) check_accepted(d);
    free(before);
    free(after);
    json_decref(d);
    return 0;
}
