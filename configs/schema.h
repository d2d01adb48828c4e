/* configs/schema.h — private to configs/: a table-driven JSON-to-struct reader.
 *
 * A schema is an array of fields ending with {0}. Each field names a key, a type, where the
 * value goes in the target struct (offsetof), whether it is required, and its range. Nested
 * objects have their own schema and write into the same struct. Unknown keys, wrong types,
 * missing fields, out-of-range and non-finite numbers are all errors that name the file and
 * the JSON path ("$.power.tdp_w"). */
#ifndef LLMDSE_CONFIGS_SCHEMA_H
#define LLMDSE_CONFIGS_SCHEMA_H

#include "configs.h"
#include <cjson/cJSON.h>

typedef enum { SF_INT, SF_NUM, SF_STR, SF_BOOL, SF_ENUM, SF_OBJ, SF_TEXT } schema_type;

typedef struct schema_field {
    const char *key;
    schema_type type;
    size_t off;              /* offset into the target struct (not for SF_OBJ / SF_TEXT) */
    int required;
    double min, max;         /* inclusive range for SF_INT / SF_NUM */
    double def;              /* default when optional and absent (SF_INT/SF_NUM/SF_BOOL/SF_ENUM) */
    const char *const *enums;/* SF_ENUM: NULL-terminated names; value stored as int index */
    const struct schema_field *sub; /* SF_OBJ */
    size_t len;              /* SF_STR: buffer size */
} schema_field;

/* SF_TEXT: a string that is checked (type, non-empty) but not stored: "source", notes. */

int schema_read(const cJSON *obj, const schema_field *fields, void *target, const char *file,
                const char *path, llm_err *err);

/* Read a whole file into a NUL-terminated buffer (caller frees). */
/* Resolves name (configs_resolve, a path of at most path_max - 1 bytes), reads the file and
 * parses it into out. */
typedef int (*parse_fn)(const char *, const char *, void *, llm_err *);
int schema_load_with(const char *kind, const char *name, size_t path_max, parse_fn parse,
                     void *out, llm_err *err);
char *schema_slurp(const char *path, llm_err *err);

/* Parse text as one JSON object; errors name the file and the byte offset. */
cJSON *schema_parse(const char *text, const char *file, llm_err *err);

#endif
