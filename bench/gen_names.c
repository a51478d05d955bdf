/* bench_gen_names: write the benchmark corpus, one name per line.
 *
 *   bench_gen_names COUNT [SEED] > FILE
 *
 * The same COUNT and SEED give the same file as bench_match generates in
 * memory, so the CLI benchmark and the matcher benchmark see the same names. */
#include <stdio.h>
#include <stdlib.h>

#include "names.h"

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fputs("usage: bench_gen_names COUNT [SEED] > FILE\n", stderr);
        return 2;
    }
    size_t count = strtoull(argv[1], NULL, 10);
    unsigned long long seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 42;
    bench_names n;
    if (count == 0 || bench_names_generate(&n, count, seed) != 0) {
        fputs("bench_gen_names: bad count or out of memory\n", stderr);
        return 1;
    }
    int rc = bench_names_write(&n, stdout);
    bench_names_free(&n);
    if (rc != 0) {
        perror("bench_gen_names");
        return 1;
    }
    return 0;
}
