/* configs/input.c — what every reader of a file the user names shares: names checked against
 * the character set that is safe in a path and in every output format (docs/limits.md,
 * "Names"), and inputs opened only when they are regular files (a FIFO or a device would
 * block or never end). */
#include "configs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int llm_name_check(const char *s, char *why, size_t len)
{
    size_t n = strlen(s);
    const char *msg = NULL;
    if (n == 0)
        msg = "expected a non-empty name";
    else if (n >= LLM_NAME_MAX)
        msg = "expected a name of at most 63 characters";
    else if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') ||
               (s[0] >= '0' && s[0] <= '9') || s[0] == '_'))
        msg = "expected a name starting with a letter, a digit or '_'";
    else
        for (size_t i = 0; i < n && !msg; i++) {
            unsigned char c = (unsigned char)s[i];
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-'))
                msg = "expected a name of letters, digits, '.', '_' and '-' only "
                      "([A-Za-z0-9._-], used as a folder name)";
        }
    if (!msg)
        return 0;
    if (why && len)
        snprintf(why, len, "%s", msg);
    return -1;
}

size_t llm_utf8_len(const unsigned char *p)
{
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned min, cp;
    if (c >= 0xc2 && c <= 0xdf) { n = 2; min = 0x80; cp = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { n = 3; min = 0x800; cp = c & 0x0f; }
    else if (c >= 0xf0 && c <= 0xf4) { n = 4; min = 0x10000; cp = c & 0x07; }
    else return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

int llm_text_check(const char *s, char *why, size_t len)
{
    const char *msg = NULL;
    size_t n = strlen(s);
    if (n == 0)
        msg = "expected a non-empty name";
    else if (n >= LLM_NAME_MAX)
        msg = "expected a name of at most 63 bytes";
    for (const unsigned char *p = (const unsigned char *)s; *p && !msg;) {
        size_t k = llm_utf8_len(p);
        if (!k)
            msg = "expected valid UTF-8 text (found a byte that is not)";
        else if (*p < 0x20 || *p == 0x7f)
            msg = "expected text without control characters (a line break, a tab, ...)";
        p += k ? k : 1;
    }
    if (!msg)
        return 0;
    if (why && len)
        snprintf(why, len, "%s", msg);
    return -1;
}

FILE *llm_open_input(const char *path, const char *mode, llm_err *err)
{
    /* O_NONBLOCK: opening a FIFO with no writer would wait forever */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        llm_err_set(err, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st)) {
        llm_err_set(err, "%s: cannot open: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        llm_err_set(err, "%s: cannot open: not a regular file (%s); expected a file", path,
                    S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO" :
                    S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" : "a special file");
        close(fd);
        return NULL;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    FILE *f = fdopen(fd, mode);
    if (!f) {
        llm_err_set(err, "%s: cannot open: %s", path, strerror(errno));
        close(fd);
    }
    return f;
}

char *llm_read_stream(FILE *f, size_t max, size_t *len, int *big)
{
    size_t cap = 1 << 16, n = 0, got;
    char *text = malloc(cap + 1);
    *big = 0;
    while (text && (got = fread(text + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n < cap)
            continue;
        if (cap >= max) {
            free(text);
            *big = 1;
            return NULL;
        }
        char *t2 = realloc(text, 2 * cap + 1);
        if (!t2)
            free(text);
        text = t2;
        cap *= 2;
    }
    if (text)
        text[n] = '\0';
    *len = n;
    return text;
}
