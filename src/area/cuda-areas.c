/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The CUDA area's operations and static areas, the same with CUDA
 * (cuda.c) and without it (cuda-stub.c, whose hooks answer AML_ENOTSUP).
 */
#define AML_NO_SEED_COMPAT
#include "config.h"

#include "aml.h"
#include "aml/area/cuda.h"

struct aml_area_ops aml_area_cuda_ops = {
	.mmap = aml_area_cuda_mmap,
	.munmap = aml_area_cuda_munmap,
	.fprintf = aml_area_cuda_fprintf,
};

static struct aml_area_cuda_data aml_area_cuda_data = {
	.flags = AML_AREA_CUDA_FLAG_DEFAULT,
	.device = -1,
};

struct aml_area aml_area_cuda = {
	.ops = &aml_area_cuda_ops,
	.data = (struct aml_area_data *)&aml_area_cuda_data,
};

static struct aml_area_cuda_data aml_area_cuda_data_unified = {
	.flags = AML_AREA_CUDA_FLAG_ALLOC_UNIFIED,
	.device = -1,
};

struct aml_area aml_area_cuda_unified = {
	.ops = &aml_area_cuda_ops,
	.data = (struct aml_area_data *)&aml_area_cuda_data_unified,
};
