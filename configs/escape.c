/* configs/escape.c — text from input files (names, paths, notes) written into our output
 * formats. Each writer escapes for its format; bytes that are not valid UTF-8 are written as
 * U+FFFD, so every output stays valid UTF-8 (docs/limits.md, "Names and text"). */
#include "configs.h"

#include <stdio.h>

#include <string.h>

static const char REPLACEMENT[] = "\xef\xbf\xbd"; /* U+FFFD */

/* Writes s with the bytes in `special` replaced by repl(c); invalid UTF-8 as U+FFFD, and with
 * xml the noncharacters U+FFFE and U+FFFF too (XML 1.0 refuses them). */
static void put_escaped_as(FILE *f, const char *s, const char *(*repl)(unsigned char), int xml)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = llm_utf8_len(p);
        if (!n) {
            fputs(REPLACEMENT, f);
            p++;
            continue;
        }
        const char *r = n == 1 ? repl(*p) : NULL;
        if (xml && n == 3 && p[0] == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf))
            r = REPLACEMENT;
        if (r)
            fputs(r, f);
        else
            fwrite(p, 1, n, f);
        p += n;
    }
}

static void put_escaped(FILE *f, const char *s, const char *(*repl)(unsigned char))
{
    put_escaped_as(f, s, repl, 0);
}

static const char *html_repl(unsigned char c)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\'': return "&#39;";
    case '\n': case '\t': return NULL;
    }
    return c < 0x20 || c == 0x7f ? REPLACEMENT : NULL;
}

void llm_html_text(FILE *f, const char *s)
{
    put_escaped(f, s, html_repl);
}

void llm_xml_text(FILE *f, const char *s)
{
    put_escaped_as(f, s, html_repl, 1);
}

static const char *md_repl(unsigned char c)
{
    static const char *const bs[] = {"\\\\", "\\`", "\\*", "\\_", "\\[", "\\]", "\\|", "\\~",
                                     "\\#"};
    const char *const set = "\\`*_[]|~#";
    const char *q = c ? strchr(set, c) : NULL;
    if (q)
        return bs[q - set];
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '\n': case '\r': case '\t': return " ";
    }
    return c < 0x20 || c == 0x7f ? REPLACEMENT : NULL;
}

void llm_md_text(FILE *f, const char *s)
{
    put_escaped(f, s, md_repl);
}

static const char *csv_repl(unsigned char c)
{
    return c == '"' ? "\"\"" : NULL;
}

void llm_csv_field(FILE *f, const char *s)
{
    int quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        fputc('"', f);
    put_escaped(f, s, csv_repl);
    if (quote)
        fputc('"', f);
}

static const char *const json_ctl[32] = {
    "\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006", "\\u0007",
    "\\u0008", "\\u0009", "\\u000a", "\\u000b", "\\u000c", "\\u000d", "\\u000e", "\\u000f",
    "\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017",
    "\\u0018", "\\u0019", "\\u001a", "\\u001b", "\\u001c", "\\u001d", "\\u001e", "\\u001f"};

static const char *json_repl(unsigned char c)
{
    if (c == '"')
        return "\\\"";
    if (c == '\\')
        return "\\\\";
    return c < 0x20 ? json_ctl[c] : NULL;
}

void llm_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    put_escaped(f, s, json_repl);
    fputc('"', f);
}

void llm_sh_word(FILE *f, const char *s)
{
    /* POSIX sh: inside single quotes every byte is literal except the quote itself */
    fputc('\'', f);
    for (; *s; s++)
        if (*s == '\'')
            fputs("'\\''", f);
        else
            fputc(*s, f);
    fputc('\'', f);
}

void llm_sh_comment(FILE *f, const char *s)
{
    /* a line break would end the comment: control characters become '?' */
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, f);
}
