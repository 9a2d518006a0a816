/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>

#include "aml/utils/error.h"
#include "internal.h"

__thread int aml_errno;

static const char *const error_texts[AML_ERROR_MAX] = {
	[AML_SUCCESS] = "Success",
	[AML_FAILURE] = "Generic error",
	[AML_ENOMEM] = "Not enough memory",
	[AML_EINVAL] = "Invalid argument",
	[AML_EDOM] = "Value out of bound",
	[AML_ENOTSUP] = "Operation not supported",
	[AML_EBUSY] = "Underlying resource is not available for operation",
	[AML_EPERM] = "Insufficient permissions",
};

const char *aml_strerror(const int err)
{
	if (err < 0 || err >= AML_ERROR_MAX)
		return "Unknown error";
	return error_texts[err];
}

void aml_perror(const char *msg)
{
	const char *text = aml_strerror(aml_errno);

	if (msg == NULL)
		fprintf(stderr, "%s\n", text);
	else
		fprintf(stderr, "%s:%s\n", msg, text);
}

int aml_fail(int code)
{
	if (code < 0)
		code = -code;
	aml_errno = code;
	return -code;
}
