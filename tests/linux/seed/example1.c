#include <aml.h>
#include <aml/area/linux.h>

int main()
{

	void *data = aml_area_mmap(&aml_area_linux, s);
	do_work(data);
	aml_area_munmap(data, s);
}
