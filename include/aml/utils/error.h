/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef AML_UTILS_ERROR_H
#define AML_UTILS_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup aml_error Errors
 * Error codes are positive constants. Functions returning int return 0 or a
 * negative code (-AML_EINVAL); functions returning a pointer return NULL and
 * store the positive code in aml_errno.
 * @{
 */

#define AML_SUCCESS 0	/**< Success */
#define AML_FAILURE 1	/**< Generic error */
#define AML_ENOMEM 2	/**< Not enough memory */
#define AML_EINVAL 3	/**< Invalid argument */
#define AML_EDOM 4	/**< Value out of bound */
#define AML_ENOTSUP 5	/**< Operation not supported */
#define AML_EBUSY 6	/**< Underlying resource is not available */
#define AML_EPERM 7	/**< Insufficient permissions */
#define AML_ERROR_MAX 8 /**< Bound of the codes above, not an error */

/**
 * Last error set by a function of the library, per thread. Never reset by
 * the library on success; callers may assign it.
 */
extern __thread int aml_errno;

/** Static text for a positive error code; "Unknown error" otherwise. */
const char *aml_strerror(const int err);

/** Print "<msg>:<aml_strerror(aml_errno)>" to stderr; only the text if NULL. */
void aml_perror(const char *msg);

/** @} */

#ifdef __cplusplus
}
#endif
#endif /* AML_UTILS_ERROR_H */
