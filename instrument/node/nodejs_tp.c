/* Instantiates the LTTng-UST probes of the "nodejs" provider (nodejs_tp.h) inside the agent's addon. */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "nodejs_tp.h"
