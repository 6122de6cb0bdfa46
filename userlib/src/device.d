src/device.os: src/device.c src/internal.h include/wsheap.h \
 ../uapi/linux/wsheap.h
src/internal.h:
include/wsheap.h:
../uapi/linux/wsheap.h:
