/* i18n.c — the one switch that says whether _() looks text up at all (see i18n.h). */
#include "i18n.h"

int i18n_translating;
