/* search/inputs.c — the inputs of a run by name: model, GPU, workload, and the space built
 * from a space file (or the default one). Used by every command that explores a space and by
 * the readers of an output folder (reports/), which load what its summary.json names. */
#include "search.h"

#include <stdio.h>
#include <string.h>

int search_load_inputs(const char *model, const char *gpu, const char *workload,
                       const char *space, llm_model *m, llm_gpu *g, llm_workload *w, space_t *s,
                       llm_err *err)
{
    if (configs_load_model(model, m, err) || configs_load_gpu(gpu, g, err) ||
        configs_load_workload(workload, w, err))
        return -1;
    llm_space_spec spec;
    if (space && configs_load_space(space, &spec, err))
        return -1;
    int rc = space_build(space ? &spec : NULL, m, g, s, err);
    if (space)
        configs_free_space(&spec);
    if (rc && space)
        llm_err_prefix(err, space, LLM_ERR_INPUT);
    return rc ? -1 : 0;
}
