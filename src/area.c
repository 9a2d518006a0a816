/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The generic area layer: argument checks, error normalisation and the
 * registry of live mappings behind the seed form aml_area_munmap(ptr, size).
 */
#define AML_NO_SEED_COMPAT
#include "aml.h"

#include "internal.h"

void *aml_area_mmap(const struct aml_area *area, size_t size,
		    struct aml_area_mmap_options *opts)
{
	void *ptr;
	int before;

	if (size == 0 || area == NULL || area->ops == NULL) {
		aml_errno = AML_EINVAL;
		return NULL;
	}
	if (area->ops->mmap == NULL) {
		aml_errno = AML_ENOTSUP;
		return NULL;
	}

	before = aml_errno;
	aml_errno = AML_SUCCESS;
	ptr = area->ops->mmap(area->data, size, opts);
	if (ptr == NULL) {
		/* Hooks disagree on signs and some set nothing at all. */
		if (aml_errno == AML_SUCCESS)
			aml_errno = AML_FAILURE;
		else if (aml_errno < 0)
			aml_errno = -aml_errno;
		return NULL;
	}
	aml_errno = before;

	if (aml_registry_insert(ptr, area, size) != 0) {
		/* Untracked memory could never be released by pointer. */
		if (area->ops->munmap != NULL)
			area->ops->munmap(area->data, ptr, size);
		aml_errno = AML_ENOMEM;
		return NULL;
	}
	return ptr;
}

void *aml_area_mmap_noopts(const struct aml_area *area, size_t size)
{
	return aml_area_mmap(area, size, NULL);
}

/* The ops call shared by both munmap forms; ptr and size are non-zero. */
static int area_unmap(const struct aml_area *area, void *ptr, size_t size)
{
	int ret;

	if (area->ops->munmap == NULL)
		return aml_fail(AML_ENOTSUP);
	ret = area->ops->munmap(area->data, ptr, size);
	if (ret != AML_SUCCESS)
		return aml_fail(ret);
	aml_registry_remove(ptr);
	return AML_SUCCESS;
}

int aml_area_munmap(const struct aml_area *area, void *ptr, size_t size)
{
	if (ptr == NULL || size == 0)
		return AML_SUCCESS;
	if (area == NULL || area->ops == NULL)
		return aml_fail(AML_EINVAL);
	return area_unmap(area, ptr, size);
}

int aml_area_munmap_ptr(void *ptr, size_t size)
{
	const struct aml_area *area;

	if (ptr == NULL || size == 0)
		return AML_SUCCESS;
	if (aml_registry_lookup(ptr, &area, NULL) != 0)
		return aml_fail(AML_EINVAL);
	if (area == NULL || area->ops == NULL)
		return aml_fail(AML_EINVAL);
	return area_unmap(area, ptr, size);
}

int aml_area_fprintf(FILE *stream, const char *prefix,
		     const struct aml_area *area)
{
	int ret;

	if (stream == NULL || area == NULL || area->ops == NULL)
		return aml_fail(AML_EINVAL);
	if (area->ops->fprintf == NULL)
		return aml_fail(AML_ENOTSUP);
	ret = area->ops->fprintf(area->data, stream, prefix ? prefix : "");
	return ret == AML_SUCCESS ? AML_SUCCESS : aml_fail(ret);
}
