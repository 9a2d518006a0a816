/* The README's area API example ("The area API"), as a user copies it:
 * scripts/check-deb builds it against the installed libaml-dev. */
#include <aml.h>
#include <aml/area/linux.h>

int main(void)
{
	struct aml_bitmap nodes;
	struct aml_area *area;
	size_t size = 1 << 20;
	void *buf;

	aml_bitmap_zero(&nodes);
	aml_bitmap_set(&nodes, 0);
	if (aml_area_linux_create(&area, &nodes, AML_AREA_LINUX_POLICY_BIND))
		return 1;
	buf = aml_area_mmap(area, size, NULL); /* bound before first touch */
	if (buf == NULL) {
		aml_perror("mmap");
		return 1;
	}
	/* ... */
	aml_area_munmap(area, buf, size);
	aml_area_linux_destroy(&area);
	return 0;
}
