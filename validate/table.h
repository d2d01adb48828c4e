/* validate/table.h — private to validate/: the data sets' CSV reader (validate/table.c). */
#ifndef LLMDSE_VALIDATE_TABLE_H
#define LLMDSE_VALIDATE_TABLE_H

#include "validate.h"

typedef struct {
    char *text;      /* the whole file, split in place */
    char **cell;     /* rows x cols */
    int rows, cols;  /* rows excludes the header */
    char path[1024];
} table;

/* Reads path (a regular file of at most 1 GiB); short rows are padded with "". -1 with a
 * message naming the file. */
int table_load(const char *path, table *t, llm_err *err);
void table_free(table *t);
/* The column named name, or -1 with a message naming the file and the column. */
int table_col(const table *t, const char *name, llm_err *err);
/* Row r's cell of column c (r from 0, the header not counted). */
const char *table_cell(const table *t, int r, int c);

#endif
