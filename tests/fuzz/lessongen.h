/* lessongen.h — turns fuzzer bytes into the text of a VALID lesson
 * (scenarios/README.md): hosts on links or LANs behind a router, DNS
 * servers and a resolver, tcp options, a timeline of application actions,
 * faults and expectations.  Every choice reads the next input byte (0 once
 * the input is used up), so a small change of the input is a small change of
 * the lesson and nearly every input parses and runs. */
#ifndef PROTOSIM_FUZZ_LESSONGEN_H
#define PROTOSIM_FUZZ_LESSONGEN_H

#include <stddef.h>
#include <stdint.h>

/* Writes the lesson for data[0..size) into a malloc'd, NUL-terminated
 * buffer; *len gets its length.  Returns NULL only when out of memory. */
char *lesson_generate(const uint8_t *data, size_t size, size_t *len);

struct scenario;

/* The lesson for data[0..size), parsed: printed first to standard output
 * when FUZZ_PRINT_LESSON is set (before the run, which may crash), and an
 * abort() with the lesson and the errors if it does not parse, since the
 * generator promises valid lessons.  NULL only when out of memory. */
struct scenario *lesson_parse(const uint8_t *data, size_t size);

#endif
