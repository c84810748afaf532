/*
 * The fuzz targets without libFuzzer: each file named on the command line
 * (or in a directory named) goes once through LLVMFuzzerTestOneInput, in a
 * buffer of exactly its size. `make check` builds every target this way
 * with the normal compiler and replays its seeds, so a target that stops
 * building or a seed that crashes again is caught without clang.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    struct stat sb;

    if (fp == NULL || fstat(fileno(fp), &sb) < 0) {
        perror(path);
        return 1;
    }
    size_t n = (size_t)sb.st_size;
    uint8_t *buf = malloc(n ? n : 1);
    if (buf == NULL || fread(buf, 1, n, fp) != n) {
        fprintf(stderr, "%s: cannot read\n", path);
        return 1;
    }
    fclose(fp);
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    int bad = 0, runs = 0;

    for (int i = 1; i < argc; i++) {
        struct stat sb;
        if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
            DIR *d = opendir(argv[i]);
            for (struct dirent *e; d && (e = readdir(d));) {
                char p[4096];
                if (e->d_name[0] == '.')
                    continue;
                snprintf(p, sizeof(p), "%s/%s", argv[i], e->d_name);
                bad |= replay_file(p);
                runs++;
            }
            if (d)
                closedir(d);
        } else {
            bad |= replay_file(argv[i]);
            runs++;
        }
    }
    printf("%d inputs replayed\n", runs);
    return bad || runs == 0;
}
