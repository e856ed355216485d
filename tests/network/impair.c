/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* impair: loss and delay for the network suite, where the kernel has no
 * `tc netem` (TRAPS.md). Packets reach it through an NFQUEUE rule, e.g.
 *
 *   iptables-legacy -I FORWARD -p udp -j NFQUEUE --queue-num 7 --queue-bypass
 *   impair --queue 7 --loss 5 --delay 100
 *
 * Each packet is dropped with probability --loss percent, else accepted
 * --delay ms after it arrived (a FIFO: the delay is constant, so the order
 * is kept). Runs until SIGTERM/SIGINT, then accepts what it still holds
 * and prints "impair: seen N dropped N" on stderr. --seed makes the loss
 * pattern repeatable. */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#define HELD_MAX 65536          /* packets held at once (a power of two) */

typedef struct
{
  uint32_t id;
  int64_t due_us;
} Held;

typedef struct
{
  struct nfq_q_handle *queue;
  double loss;                  /* 0..1 */
  int64_t delay_us;
  uint64_t rng;
  Held held[HELD_MAX];
  unsigned head, tail;          /* FIFO indexes, free-running */
  unsigned long seen, dropped;
} Impair;

static volatile sig_atomic_t stop;

static void
on_signal (int sig)
{
  stop = 1;
}

static int64_t
now_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* xorshift64*: a repeatable uniform value in [0, 1) */
static double
next_uniform (Impair * im)
{
  im->rng ^= im->rng >> 12;
  im->rng ^= im->rng << 25;
  im->rng ^= im->rng >> 27;
  return (double) ((im->rng * 2685821657736338717ULL) >> 11) /
      (double) (1ULL << 53);
}

static int
on_packet (struct nfq_q_handle *queue, struct nfgenmsg *msg,
    struct nfq_data *data, void *user_data)
{
  Impair *im = user_data;
  struct nfqnl_msg_packet_hdr *header = nfq_get_msg_packet_hdr (data);
  uint32_t id;

  if (!header)
    return 0;
  id = ntohl (header->packet_id);
  im->seen++;
  if (im->loss > 0 && next_uniform (im) < im->loss) {
    im->dropped++;
    return nfq_set_verdict (queue, id, NF_DROP, 0, NULL);
  }
  if (im->delay_us == 0 || im->tail - im->head >= HELD_MAX)
    return nfq_set_verdict (queue, id, NF_ACCEPT, 0, NULL);
  im->held[im->tail % HELD_MAX].id = id;
  im->held[im->tail % HELD_MAX].due_us = now_us () + im->delay_us;
  im->tail++;
  return 0;
}

/* Accepts the packets that are due (all of them with @all); returns the
 * poll timeout until the next one, -1 when none is held. */
static int
release (Impair * im, int all)
{
  int64_t now = now_us ();

  while (im->head != im->tail) {
    Held *h = &im->held[im->head % HELD_MAX];
    if (!all && h->due_us > now)
      return (int) ((h->due_us - now + 999) / 1000);
    nfq_set_verdict (im->queue, h->id, NF_ACCEPT, 0, NULL);
    im->head++;
  }
  return -1;
}

static int
usage (const char *message)
{
  fprintf (stderr, "impair: %s\nusage: impair --queue N [--loss PERCENT] "
      "[--delay MS] [--seed N]\n", message);
  return 2;
}

int
main (int argc, char **argv)
{
  static Impair im;
  struct nfq_handle *handle;
  char buf[65536] __attribute__((aligned));
  long queue_num = -1;
  struct pollfd pfd;
  int i;

  im.rng = 0x9e3779b97f4a7c15ULL;
  for (i = 1; i + 1 < argc; i += 2) {
    char *end = NULL;
    double value = strtod (argv[i + 1], &end);

    if (!end || *end)
      return usage ("option values are numbers");
    if (!strcmp (argv[i], "--queue"))
      queue_num = (long) value;
    else if (!strcmp (argv[i], "--loss"))
      im.loss = value / 100.0;
    else if (!strcmp (argv[i], "--delay"))
      im.delay_us = (int64_t) (value * 1000);
    else if (!strcmp (argv[i], "--seed"))
      im.rng = 0x9e3779b97f4a7c15ULL * (uint64_t) value + 1;
    else
      return usage ("unknown option");
  }
  if (i != argc || queue_num < 0 || queue_num > 65535 || im.loss < 0
      || im.loss > 1 || im.delay_us < 0)
    return usage ("bad arguments");

  handle = nfq_open ();
  if (!handle) {
    perror ("impair: nfq_open");
    return 1;
  }
  im.queue = nfq_create_queue (handle, (uint16_t) queue_num, on_packet, &im);
  if (!im.queue) {
    fprintf (stderr, "impair: cannot bind queue %ld: %s\n", queue_num,
        strerror (errno));
    nfq_close (handle);
    return 1;
  }
  /* the verdict needs the id only */
  nfq_set_mode (im.queue, NFQNL_COPY_META, 0);
  nfq_set_queue_maxlen (im.queue, HELD_MAX);

  signal (SIGTERM, on_signal);
  signal (SIGINT, on_signal);
  fprintf (stderr, "impair: queue %ld loss %.1f%% delay %lld ms\n",
      queue_num, im.loss * 100, (long long) im.delay_us / 1000);

  pfd.fd = nfq_fd (handle);
  pfd.events = POLLIN;
  while (!stop) {
    int timeout = release (&im, 0);
    int n = poll (&pfd, 1, timeout < 0 || timeout > 100 ? 100 : timeout);

    while (n > 0 && (pfd.revents & POLLIN)) {
      ssize_t len = recv (pfd.fd, buf, sizeof (buf), MSG_DONTWAIT);
      if (len > 0) {
        nfq_handle_packet (handle, buf, (int) len);
        continue;
      }
      if (len < 0 && errno == ENOBUFS)
        fprintf (stderr, "impair: the kernel queue overflowed\n");
      break;
    }
  }
  release (&im, 1);
  fprintf (stderr, "impair: seen %lu dropped %lu\n", im.seen, im.dropped);
  nfq_destroy_queue (im.queue);
  nfq_close (handle);
  return 0;
}
