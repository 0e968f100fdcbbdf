/* fuzzopts.c — sanitizer defaults linked into every fuzz target and replay
 * driver: undefined behaviour is a finding that stops the run and leaves
 * its input, as a crash does.  The checks are built recoverable so that a
 * campaign can step over findings already reported, e.g.
 *     UBSAN_OPTIONS=suppressions=tests/fuzz/known-ub.supp build-fuzz/fuzz_lesson ...
 * (the environment adds to these defaults). */
const char *__ubsan_default_options(void);

const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}
