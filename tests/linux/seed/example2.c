#include <aml.h>
#include <aml/area/linux.h>

int main()
{
	struct aml_area *area;
	aml_area_linux_create(&area, AML_AREA_LINUX_MMAP_FLAG_PRIVATE, NULL,
			      AML_AREA_LINUX_BINDING_FLAG_DEFAULT);
	do_work(area);
	aml_area_linux_destroy(&area);
}
