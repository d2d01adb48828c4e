/* reports/outdir.c — an output folder changes as a whole or not at all (docs/limits.md,
 * "Output folders"), and an interrupt stops the whole run (docs/cli.md, "Exit status").
 *
 * A run into OUT takes an exclusive flock on PARENT/.BASE.lock (a second run fails at once),
 * writes its files into PARENT/.BASE.tmp.PID, writes manifest.json last (every file's size and
 * FNV-1a checksum), and swaps the folder into place with renameat2(RENAME_EXCHANGE); the
 * previous folder, now at the temporary name, is removed. A kill at any moment leaves OUT as it
 * was or as the new run wrote it; what a killed run left beside it is removed by the next run
 * into OUT (under the lock, so it cannot belong to a live run).
 *
 * SIGINT, SIGTERM and SIGHUP: a child (gnuplot) is killed, the registered temporary files and
 * folders are removed with async-signal-safe calls only (open, getdents64, unlinkat), and the
 * process ends with 128 + the signal number (130 for Ctrl-C). explore's evaluation asks for a
 * graceful first interrupt (the front so far is written, marked partial); a second is
 * immediate. */
#include "reports.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- what an interrupt removes ----------------------------------------------------------- */

#define CLEAN_SLOTS 16
#define CLEAN_PATH 8192
static struct {
    char path[CLEAN_PATH];
    volatile sig_atomic_t on;
    int tree;
} clean[CLEAN_SLOTS];
static volatile sig_atomic_t child_pid;
static volatile sig_atomic_t graceful_mode;
static volatile sig_atomic_t *graceful_flag;
static volatile sig_atomic_t interrupted;

/* Removes path (a file, or a folder and all below it, at most 8 levels) with async-signal-
 * safe calls only. */
static void rm_tree_at(int dirfd, const char *name, int depth)
{
    if (!unlinkat(dirfd, name, 0) || errno == ENOENT)
        return;
    if (depth > 8)
        return;
    for (int pass = 0; pass < 3; pass++) {
        int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
            return;
        char buf[4096];
        long n;
        while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0)
            for (long off = 0; off < n;) {
                struct {
                    uint64_t ino;
                    int64_t off;
                    unsigned short reclen;
                    unsigned char type;
                    char name[];
                } *d = (void *)(buf + off);
                off += d->reclen;
                if (!strcmp(d->name, ".") || !strcmp(d->name, ".."))
                    continue;
                rm_tree_at(fd, d->name, depth + 1);
            }
        close(fd);
        if (!unlinkat(dirfd, name, AT_REMOVEDIR) || errno == ENOENT)
            return;
        if (errno != ENOTEMPTY && errno != EEXIST)
            return;
    }
}

static void rm_tree(const char *path)
{
    rm_tree_at(AT_FDCWD, path, 0);
}

/* Removes dir/NAME for each of the n names (each at most 299 bytes). */
static void remove_names(const char *dir, char (*names)[300], int n)
{
    for (int i = 0; i < n; i++) {
        char p[8192];
        if (snprintf(p, sizeof p, "%s/%s", dir, names[i]) < (int)sizeof p)
            rm_tree(p);
    }
}

void report_remove_dead(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    size_t pl = strlen(prefix);
    char names[32][300];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 32) {
        if (strncmp(e->d_name, prefix, pl) || strlen(e->d_name) >= sizeof names[0])
            continue;
        char *end;
        long pid = strtol(e->d_name + pl, &end, 10);
        if (pid <= 0 || (*end && *end != '-' && *end != '.') || pid == (long)getpid() ||
            kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        strcpy(names[n++], e->d_name);
    }
    closedir(d);
    remove_names(dir, names, n);
}

static void clean_all(void)
{
    pid_t c = (pid_t)child_pid;
    if (c > 0) {
        kill(-c, SIGKILL);
        kill(c, SIGKILL);
        waitpid(c, NULL, 0);
    }
    for (int i = 0; i < CLEAN_SLOTS; i++)
        if (clean[i].on) {
            if (clean[i].tree)
                rm_tree(clean[i].path);
            else
                unlink(clean[i].path);
            clean[i].on = 0;
        }
}

static void on_signal(int sig)
{
    if (graceful_mode && graceful_flag && !*graceful_flag) {
        *graceful_flag = sig;   /* the caller exits 128 + sig once its partial output is out */
        return;
    }
    interrupted = 1;
    clean_all();
    _exit(128 + sig);
}

static void at_exit(void)
{
    clean_all();
}

void report_signals_install(void)
{
    static int done;
    if (!done) {
        atexit(at_exit);
        done = 1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigfillset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

void report_signals_graceful(volatile sig_atomic_t *flag)
{
    graceful_flag = flag;
    graceful_mode = flag != NULL;
}

int report_cleanup_add(const char *path, int tree)
{
    for (int i = 0; i < CLEAN_SLOTS; i++)
        if (!clean[i].on) {
            snprintf(clean[i].path, CLEAN_PATH, "%s", path);
            clean[i].tree = tree;
            atomic_signal_fence(memory_order_seq_cst); /* the path is complete before it is on */
            clean[i].on = 1;
            return i;
        }
    return -1;
}

void report_cleanup_drop(int slot)
{
    if (slot >= 0 && slot < CLEAN_SLOTS)
        clean[slot].on = 0;
}

/* ---- child processes ----------------------------------------------------------------------- */

int report_find_program(const char *name)
{
    const char *p = getenv("PATH");
    if (!p || !*p)
        p = "/usr/local/bin:/usr/bin:/bin";
    while (*p) {
        const char *e = strchr(p, ':');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        char path[4096];
        if (l && l + strlen(name) + 2 < sizeof path) {
            snprintf(path, sizeof path, "%.*s/%s", (int)l, p, name);
            struct stat st;
            if (!stat(path, &st) && S_ISREG(st.st_mode) && !access(path, X_OK))
                return 1;
        }
        p += l + (e != NULL);
    }
    return 0;
}

int report_run_child(char *const argv[])
{
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    pid_t pid = fork();
    if (pid == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = SIG_DFL;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        sigprocmask(SIG_SETMASK, &old, NULL);
        setpgid(0, 0);
        int nul = open("/dev/null", O_RDWR);
        if (nul >= 0) {
            dup2(nul, 0);
            dup2(nul, 1);
            dup2(nul, 2);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    if (pid > 0)
        child_pid = pid;
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (pid < 0)
        return -1;
    int st;
    pid_t r;
    while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
        ;
    child_pid = 0;
    if (r < 0)
        return -1;
    if (WIFSIGNALED(st)) {
        int sig = WTERMSIG(st);
        /* the child was interrupted: so is the run (our handler cleans up and exits) */
        if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
            raise(sig);
        return 128 + sig;
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ---- the folder ------------------------------------------------------------------------------ */

static int path_split(const char *out, char *parent, char *base, llm_err *err)
{
    char buf[4096];
    size_t l = strlen(out);
    if (!l) {
        llm_err_set(err, "-o: expected a folder name, found an empty string");
        return -1;
    }
    if (l >= 3000) {
        llm_err_set(err, "-o %.64s...: path too long", out);
        return -1;
    }
    memcpy(buf, out, l + 1);
    while (l > 1 && buf[l - 1] == '/')
        buf[--l] = '\0';
    char *slash = strrchr(buf, '/');
    const char *b = slash ? slash + 1 : buf;
    if (!*b || !strcmp(b, ".") || !strcmp(b, "..") || !strcmp(buf, "/")) {
        llm_err_set(err, "-o %s: expected a folder name (not \"/\", \".\" or \"..\")", out);
        return -1;
    }
    strcpy(base, b);
    if (!slash)
        strcpy(parent, ".");
    else if (slash == buf)
        strcpy(parent, "/");
    else {
        *slash = '\0';
        strcpy(parent, buf);
    }
    return 0;
}

/* What marks a folder as an llmdse output: a manifest, or (written before manifests) one of
 * the files only llmdse writes. */
static int is_llmdse_output(const char *dir, int *empty)
{
    static const char *const marks[] = {"manifest.json", "summary.json", "sku-check.csv",
                                        "recommendation.json", "compare.json", NULL};
    DIR *d = opendir(dir);
    *empty = 1;
    if (!d)
        return 0;
    int mark = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        *empty = 0;
        for (int i = 0; marks[i]; i++)
            mark |= !strcmp(e->d_name, marks[i]);
    }
    closedir(d);
    return mark;
}

/* Removes what runs that were killed left beside OUT: .BASE.tmp.* and .BASE.old.* */
static void remove_stale(const char *parent, const char *base)
{
    DIR *d = opendir(parent);
    if (!d)
        return;
    char pre1[1100], pre2[1100];
    snprintf(pre1, sizeof pre1, ".%s.tmp.", base);
    snprintf(pre2, sizeof pre2, ".%s.old.", base);
    struct dirent *e;
    char names[64][300];
    int n = 0;
    while ((e = readdir(d)) && n < 64)
        if ((!strncmp(e->d_name, pre1, strlen(pre1)) || !strncmp(e->d_name, pre2, strlen(pre2))) &&
            strlen(e->d_name) < sizeof names[0])
            strcpy(names[n++], e->d_name);
    closedir(d);
    remove_names(parent, names, n);
}

static int copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return -1;
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (out < 0) {
        close(in);
        return -1;
    }
    char buf[65536];
    ssize_t n;
    int rc = 0;
    while ((n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)n) != n) {
            rc = -1;
            break;
        }
    if (n < 0)
        rc = -1;
    close(in);
    if (close(out))
        rc = -1;
    return rc;
}

/* The previous folder's files (not its manifest) linked into the new one, for a run that adds
 * files to an existing output (recommend into an explore folder). Hard links share the file:
 * every writer into an output folder must replace a file by rename (report_write_atomic),
 * never open an existing one for writing, or it would change the previous folder too. */
static int carry_over(const char *from, const char *to, int depth, llm_err *err)
{
    DIR *d = opendir(from);
    if (!d)
        return 0;
    struct dirent *e;
    int rc = 0;
    while (!rc && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
            (!depth && !strcmp(e->d_name, "manifest.json")))
            continue;
        char a[8192], b[8192];
        if (snprintf(a, sizeof a, "%s/%s", from, e->d_name) >= (int)sizeof a ||
            snprintf(b, sizeof b, "%s/%s", to, e->d_name) >= (int)sizeof b)
            continue;
        struct stat st;
        if (lstat(a, &st))
            continue;
        if (S_ISDIR(st.st_mode) && depth < 6) {
            if (mkdir(b, 0777) || carry_over(a, b, depth + 1, err))
                rc = -1;
        } else if (S_ISREG(st.st_mode)) {
            if (link(a, b) && copy_file(a, b))
                rc = -1;
        }
        if (rc && !err->msg[0])
            llm_err_set(err, "%s: cannot carry over into the new output: %s", a,
                        strerror(errno));
    }
    closedir(d);
    return rc;
}

/* The lock OUT's parent holds beside it (.BASE.lock): a second run into OUT fails here,
 * before any work. -1 with err when it cannot be taken. */
static int take_lock(report_outdir *o, const char *out, const char *parent, const char *base,
                     llm_err *err)
{
    snprintf(o->lock, sizeof o->lock, "%s/.%s.lock", parent, base);
    for (int tries = 0;; tries++) {
        int fd = open(o->lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
        if (fd < 0) {
            llm_err_set(err, "-o %s: cannot create the lock %s: %s", out, o->lock,
                        strerror(errno));
            return -1;
        }
        if (flock(fd, LOCK_EX | LOCK_NB)) {
            int e = errno;
            close(fd);
            llm_err_set(err, "-o %s: %s", out, e == EWOULDBLOCK ?
                        "another llmdse run is writing this folder (it holds the lock "
                        "beside it); try again when it has finished" : strerror(e));
            if (e == EWOULDBLOCK) {
                size_t l = strlen(err->msg);
                snprintf(err->msg + l, sizeof err->msg - l, " (lock %s)", o->lock);
            }
            return -1;
        }
        /* the lock file may have been removed by the run that held it: lock the one that is
         * there now */
        struct stat a, b;
        if (!fstat(fd, &a) && !stat(o->lock, &b) && a.st_ino == b.st_ino && a.st_dev == b.st_dev) {
            o->lock_fd = fd;
            break;
        }
        close(fd);
        if (tries > 100) {
            llm_err_set(err, "-o %s: the lock %s keeps changing", out, o->lock);
            return -1;
        }
    }
    return 0;
}

int report_outdir_begin(report_outdir *o, const char *out, const char *command, int mode,
                        llm_err *err, int *status)
{
    memset(o, 0, sizeof *o);
    o->lock_fd = -1;
    o->slot_tmp = o->slot_lock = -1;
    o->command = command;
    *status = 2;
    err->msg[0] = '\0';
    char parent[4096], base[1024];
    if (path_split(out, parent, base, err))
        return -1;
    struct stat st;
    if (!lstat(out, &st) && S_ISLNK(st.st_mode)) {
        /* a link to a folder: the folder it names is the output */
        char real[4096];
        if (!realpath(out, real) || stat(real, &st) || !S_ISDIR(st.st_mode)) {
            llm_err_set(err, "-o %s: a symbolic link that does not name a folder", out);
            return -1;
        }
        if (path_split(real, parent, base, err))
            return -1;
        snprintf(o->final, sizeof o->final, "%s", real);
    } else {
        snprintf(o->final, sizeof o->final, "%s%s%s", strcmp(parent, ".") ? parent : "",
                 strcmp(parent, ".") && strcmp(parent, "/") ? "/" : "", base);
    }
    if (stat(parent, &st) || !S_ISDIR(st.st_mode) || access(parent, W_OK | X_OK)) {
        llm_err_set(err, "-o %s: cannot create the output directory: %s is not a writable "
                    "directory", out, parent);
        return -1;
    }
    int exists = !stat(o->final, &st);
    if (exists && !S_ISDIR(st.st_mode)) {
        llm_err_set(err, "-o %s: exists and is not a directory", out);
        return -1;
    }
    if (!exists && errno != ENOENT) {
        llm_err_set(err, "-o %s: %s", out, strerror(errno));
        return -1;
    }
    if (take_lock(o, out, parent, base, err)) {
        *status = 1;
        return -1;
    }
    o->slot_lock = report_cleanup_add(o->lock, 0);
    if (exists) {
        int empty;
        if (!is_llmdse_output(o->final, &empty) && !empty) {
            llm_err_set(err, "-o %s: a folder that is not empty and not an llmdse output (no "
                        "manifest.json); refusing to replace it: give a new or empty folder",
                        out);
            report_outdir_abort(o);
            return -1;
        }
    }
    remove_stale(parent, base);
    snprintf(o->tmp, sizeof o->tmp, "%s/.%s.tmp.%ld", parent, base, (long)getpid());
    o->slot_tmp = report_cleanup_add(o->tmp, 1);
    if (mkdir(o->tmp, 0777)) {
        llm_err_set(err, "-o %s: cannot create %s: %s", out, o->tmp, strerror(errno));
        *status = 1;
        report_outdir_abort(o);
        return -1;
    }
    if (mode == OUTDIR_UPDATE && exists) {
        /* what is carried over must be one run's complete output: a mixed folder is not
         * laundered into a new manifest; a partial run stays marked partial */
        char why[700];
        if (report_outdir_check(o->final, &o->prev_partial, NULL, 0, why, sizeof why) < 0) {
            llm_err_set(err, "-o %s: %s", out, why);
            report_outdir_abort(o);
            return -1;
        }
    }
    if (mode == OUTDIR_UPDATE && exists && carry_over(o->final, o->tmp, 0, err)) {
        *status = 1;
        report_outdir_abort(o);
        return -1;
    }
    *status = 0;
    return 0;
}

void report_outdir_abort(report_outdir *o)
{
    if (o->tmp[0])
        rm_tree(o->tmp);
    report_cleanup_drop(o->slot_tmp);
    o->slot_tmp = -1;
    o->tmp[0] = '\0';
    if (o->lock_fd >= 0) {
        unlink(o->lock);
        close(o->lock_fd);
        o->lock_fd = -1;
    }
    report_cleanup_drop(o->slot_lock);
    o->slot_lock = -1;
}

/* FNV-1a, 64 bits: a check that the files are the ones the manifest names, not a signature. */
static int checksum(const char *path, unsigned long long *bytes, uint64_t *h)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        close(fd);
        return -1;
    }
    uint64_t x = 14695981039346656037ULL;
    unsigned long long n = 0;
    unsigned char buf[65536];
    ssize_t r;
    while ((r = read(fd, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < r; i++)
            x = (x ^ buf[i]) * 1099511628211ULL;
        n += (unsigned long long)r;
    }
    close(fd);
    if (r < 0)
        return -1;
    *bytes = n;
    *h = x;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists the regular files below root/rel, sorted, as manifest entries. */
static int list_files(json_out *j, const char *root, const char *rel, int depth, llm_err *err)
{
    char dir[8192];
    if (snprintf(dir, sizeof dir, "%s%s%s", root, rel[0] ? "/" : "", rel) >= (int)sizeof dir) {
        llm_err_set(err, "%s: path too long", rel);
        return -1;
    }
    DIR *d = opendir(dir);
    if (!d) {
        llm_err_set(err, "%s: %s", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
            (!depth && !strcmp(e->d_name, "manifest.json")))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 32;
            char **nn = realloc(names, cap * sizeof *names);
            if (!nn) {
                rc = -1;
                break;
            }
            names = nn;
        }
        if (!(names[n] = strdup(e->d_name))) {
            rc = -1;
            break;
        }
        n++;
    }
    closedir(d);
    if (rc)
        llm_err_set(err, "out of memory");
    if (n)
        qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n && !rc; i++) {
        char r2[4096], full[8192];
        if (snprintf(r2, sizeof r2, "%s%s%s", rel, rel[0] ? "/" : "", names[i]) >= (int)sizeof r2 ||
            snprintf(full, sizeof full, "%s/%s", root, r2) >= (int)sizeof full)
            continue;
        struct stat st;
        if (lstat(full, &st))
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (depth < 6)
                rc = list_files(j, root, r2, depth + 1, err);
            continue;
        }
        if (!S_ISREG(st.st_mode))
            continue;
        unsigned long long bytes;
        uint64_t h;
        if (checksum(full, &bytes, &h)) {
            llm_err_set(err, "%s: cannot read back: %s", full, strerror(errno));
            rc = -1;
            break;
        }
        char hex[17];
        snprintf(hex, sizeof hex, "%016llx", (unsigned long long)h);
        json_obj(j, NULL);
        json_str(j, "path", r2);
        json_int(j, "bytes", (long long)bytes);
        json_str(j, "fnv1a64", hex);
        json_end_obj(j);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

int report_outdir_commit(report_outdir *o, int partial, llm_err *err)
{
    char mpath[8300];
    snprintf(mpath, sizeof mpath, "%s/manifest.json", o->tmp);
    FILE *f = fopen(mpath, "w");
    if (!f) {
        llm_err_set(err, "%s: cannot write: %s", mpath, strerror(errno));
        report_outdir_abort(o);
        return -1;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char run[96], when[32];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(run, sizeof run, "%04d%02d%02dT%02d%02d%02d.%09ldZ-%ld", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long)ts.tv_nsec,
             (long)getpid());
    json_out j;
    json_begin(&j, f, 1);
    json_obj(&j, NULL);
    json_str(&j, "format", "llmdse output");
    json_int(&j, "version", 1);
    json_str(&j, "command", o->command);
    json_str(&j, "run", run);
    json_str(&j, "written", when);
    json_bool(&j, "partial", partial || o->prev_partial);
    json_arr(&j, "files");
    int rc = list_files(&j, o->tmp, "", 0, err);
    json_end_arr(&j);
    json_end_obj(&j);
    json_finish(&j);
    if (fflush(f) || ferror(f)) {
        if (!rc)
            llm_err_set(err, "%s: write failed: %s", mpath, strerror(errno));
        rc = -1;
    }
    if (fclose(f)) {
        if (!rc)
            llm_err_set(err, "%s: write failed: %s", mpath, strerror(errno));
        rc = -1;
    }
    if (rc) {
        report_outdir_abort(o);
        return -1;
    }
    struct stat st;
    if (lstat(o->final, &st)) {
        if (rename(o->tmp, o->final)) {
            llm_err_set(err, "%s: cannot move the output into place: %s", o->final,
                        strerror(errno));
            report_outdir_abort(o);
            return -1;
        }
    } else if (renameat2(AT_FDCWD, o->tmp, AT_FDCWD, o->final, RENAME_EXCHANGE)) {
        /* no atomic exchange on this file system: move the old folder aside first */
        char old[CLEAN_PATH];
        if (snprintf(old, sizeof old, "%s.old", o->tmp) >= (int)sizeof old)
            old[0] = '\0';
        int slot = report_cleanup_add(old, 1);
        if (rename(o->final, old) || rename(o->tmp, o->final)) {
            llm_err_set(err, "%s: cannot move the output into place: %s", o->final,
                        strerror(errno));
            rename(old, o->final);
            report_cleanup_drop(slot);
            report_outdir_abort(o);
            return -1;
        }
        rm_tree(old);
        report_cleanup_drop(slot);
    }
    /* o->tmp now names the previous folder (or nothing) */
    report_outdir_abort(o);
    return 0;
}

/* ---- reading a folder back ------------------------------------------------------------------ */

/* Reads and parses a manifest; NULL with why. */
static cJSON *read_manifest(const char *mpath, char *why, size_t len)
{
    llm_err err;
    FILE *f = llm_open_input(mpath, "r", &err);
    if (!f) {
        snprintf(why, len, "%s", err.msg);
        return NULL;
    }
    size_t n;
    int big;
    char *text = llm_read_stream(f, (size_t)16 << 20, &n, &big);
    fclose(f);
    if (!text && !big) {
        snprintf(why, len, "%s: out of memory", mpath);
        return NULL;
    }
    /* more than 16 MiB is no manifest of ours */
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    free(text);
    const cJSON *files = root ? cJSON_GetObjectItemCaseSensitive(root, "files") : NULL;
    const cJSON *fmt = root ? cJSON_GetObjectItemCaseSensitive(root, "format") : NULL;
    if (!cJSON_IsArray(files) || !cJSON_IsString(fmt) || strcmp(fmt->valuestring, "llmdse output")) {
        snprintf(why, len, "%s: not an llmdse manifest (truncated or edited?)", mpath);
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

/* Checks the files of top's manifest whose path starts with prefix ("" for all). */
static int check_manifest(const char *top, const char *prefix, int *partial, char *run,
                          size_t runlen, char *why, size_t len)
{
    char mpath[8300];
    snprintf(mpath, sizeof mpath, "%s/manifest.json", top);
    const char *dir = top;
    cJSON *root = read_manifest(mpath, why, len);
    if (!root)
        return -1;
    const cJSON *files = cJSON_GetObjectItemCaseSensitive(root, "files");
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(root, "partial");
    *partial = cJSON_IsTrue(p);
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(root, "run");
    if (run && runlen && cJSON_IsString(r))
        snprintf(run, runlen, "%s", r->valuestring);
    int rc = 0, matched = 0;
    for (const cJSON *e = files->child; e && !rc; e = e->next) {
        const cJSON *fp = cJSON_GetObjectItemCaseSensitive(e, "path");
        const cJSON *fb = cJSON_GetObjectItemCaseSensitive(e, "bytes");
        const cJSON *fh = cJSON_GetObjectItemCaseSensitive(e, "fnv1a64");
        if (!cJSON_IsString(fp) || !cJSON_IsNumber(fb) || !cJSON_IsString(fh) ||
            strstr(fp->valuestring, "..") || fp->valuestring[0] == '/') {
            snprintf(why, len, "%s: a malformed file entry", mpath);
            rc = -1;
            break;
        }
        if (strncmp(fp->valuestring, prefix, strlen(prefix)))
            continue;
        matched++;
        char full[8600], hex[17];
        snprintf(full, sizeof full, "%s/%s", dir, fp->valuestring);
        unsigned long long bytes;
        uint64_t h;
        if (checksum(full, &bytes, &h)) {
            snprintf(why, len, "%s: %s is missing: the folder is not one run's complete "
                     "output", dir, fp->valuestring);
            rc = -1;
            break;
        }
        snprintf(hex, sizeof hex, "%016llx", (unsigned long long)h);
        if ((double)bytes != fb->valuedouble || strcmp(hex, fh->valuestring)) {
            snprintf(why, len, "%s: %s differs from what manifest.json records: the folder "
                     "mixes files of different runs, or a file was changed", dir,
                     fp->valuestring);
            rc = -1;
        }
    }
    cJSON_Delete(root);
    if (!rc && prefix[0] && !matched) {
        snprintf(why, len, "%s: manifest.json lists no file of %s", mpath, prefix);
        return 1;
    }
    return rc;
}

/* Where dir's manifest is: dir itself, or a folder up to 3 levels above it (then prefix is
 * dir's path below it, ending in '/'). 0 found, -1 none. */
static int find_manifest(const char *dir, char *top, size_t toplen, char *prefix, size_t plen)
{
    char mpath[4200];
    struct stat st;
    snprintf(mpath, sizeof mpath, "%s/manifest.json", dir);
    prefix[0] = '\0';
    if (!lstat(mpath, &st) || errno != ENOENT) {
        snprintf(top, toplen, "%s", dir);
        return 0;
    }
    char real[4096];
    if (!realpath(dir, real))
        return -1;
    for (int up = 0; up < 3; up++) {
        char *slash = strrchr(real, '/');
        if (!slash || slash == real)
            break;
        char tail[4096];
        snprintf(tail, sizeof tail, "%s/%s", slash + 1, prefix);
        snprintf(prefix, plen, "%s", tail);
        *slash = '\0';
        char m2[4200];
        snprintf(m2, sizeof m2, "%s/manifest.json", real);
        if (!lstat(m2, &st)) {
            snprintf(top, toplen, "%s", real);
            return 0;
        }
    }
    prefix[0] = '\0';
    return -1;
}

int report_outdir_check(const char *dir, int *partial, char *run, size_t runlen, char *why,
                        size_t len)
{
    *partial = 0;
    if (run && runlen)
        run[0] = '\0';
    char top[4096], prefix[4096];
    if (!find_manifest(dir, top, sizeof top, prefix, sizeof prefix))
        return check_manifest(top, prefix, partial, run, runlen, why, len);
    snprintf(why, len, "%s: no manifest.json: the folder cannot be checked to be one run's "
             "complete output", dir);
    return 1;
}

int report_outdir_same_run(const char *dir, const char *run, char *why, size_t len)
{
    char top[4096], prefix[4096], mpath[4200];
    if (!run[0] || find_manifest(dir, top, sizeof top, prefix, sizeof prefix))
        return 0; /* no manifest: nothing to compare */
    snprintf(mpath, sizeof mpath, "%s/manifest.json", top);
    cJSON *root = read_manifest(mpath, why, len);
    const cJSON *r = root ? cJSON_GetObjectItemCaseSensitive(root, "run") : NULL;
    int same = cJSON_IsString(r) && !strcmp(r->valuestring, run);
    cJSON_Delete(root);
    if (!same)
        snprintf(why, len, "%s: replaced by another run while it was read; run again", dir);
    return same ? 0 : -1;
}
