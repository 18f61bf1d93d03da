/* Deep recursion within the default 8 MiB stack limit: 4 MiB worth of frames (16384 calls
 * with 256-byte frames), each frame's data checked on the way back up, repeated so the
 * already-grown stack is reused; a second recursion with 1 KiB frames to 6 MiB. The main
 * thread's stack grows on demand through every one of those pages. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t __attribute__((noinline)) recurse(unsigned depth, unsigned frame_words, volatile uint64_t *sink)
{
    volatile uint64_t frame[32];
    for (unsigned i = 0; i < frame_words; i++)
        frame[i] = depth * 1000003ull + i;
    uint64_t below = depth ? recurse(depth - 1, frame_words, sink) : 0;
    uint64_t sum = 0;
    for (unsigned i = 0; i < frame_words; i++) {
        if (frame[i] != depth * 1000003ull + i)
            *sink += 1; /* corruption counter */
        sum += frame[i];
    }
    return below + sum;
}

static uint64_t __attribute__((noinline)) recurse_big(unsigned depth, volatile uint64_t *sink)
{
    volatile unsigned char frame[1024];
    memset((void *)frame, (int)(depth & 0xFF), sizeof frame);
    uint64_t below = depth ? recurse_big(depth - 1, sink) : 0;
    for (unsigned i = 0; i < sizeof frame; i += 61)
        if (frame[i] != (depth & 0xFF))
            *sink += 1;
    return below + frame[5];
}

int main(void)
{
    volatile uint64_t bad = 0;
    /* frame: 32 words = 256 bytes of locals plus call overhead */
    uint64_t s1 = recurse(16384, 32, &bad);
    uint64_t s2 = recurse(16384, 32, &bad);
    printf("16384 frames of ~256 bytes: sum %llu, again %s, corruptions %llu\n", (unsigned long long)s1,
           s1 == s2 ? "same" : "different", (unsigned long long)bad);
    uint64_t s3 = recurse_big(6 * 1024, &bad);
    printf("6144 frames of 1 KiB: sum %llu, corruptions %llu\n", (unsigned long long)s3, (unsigned long long)bad);
    return bad ? 1 : 0;
}
