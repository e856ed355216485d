/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* webrtcbin's DTLS elements share one process-wide certificate, generated
 * lazily inside the first create-offer/set-remote-description: an RSA key
 * costing 70-1500 ms here (TRAPS.md). Asking a dtlsdec for its PEM in a
 * background thread when the first room element is created pays that cost
 * before any peer is there, once per process.
 *
 * The state below is process-wide on purpose, like the certificate it
 * warms: one generation per process. */

#include "roombin-private.h"

static GMutex warm_lock;
static GThread *warm_thread;
static gboolean warm_started;

void gst_webrtc_room_certificate_warm_up (void);
void gst_webrtc_room_certificate_wait (void);

static gpointer
generate_certificate (gpointer data)
{
  GstElement *dec = gst_element_factory_make ("dtlsdec", NULL);
  gchar *pem = NULL;

  if (!dec)
    return NULL;
  gst_object_ref_sink (dec);
  g_object_get (dec, "pem", &pem, NULL);
  GST_DEBUG ("DTLS certificate ready (%s)", pem ? "ok" : "none");
  g_free (pem);
  gst_object_unref (dec);
  return NULL;
}

void
gst_webrtc_room_certificate_warm_up (void)
{
  g_mutex_lock (&warm_lock);
  if (!warm_started) {
    warm_started = TRUE;
    warm_thread = g_thread_new ("dtls-cert", generate_certificate, NULL);
  }
  g_mutex_unlock (&warm_lock);
}

/* Called when a room element is disposed: a process that quits right away
 * (server unreachable, bad settings) must not exit while OpenSSL is busy
 * in the generation thread. */
void
gst_webrtc_room_certificate_wait (void)
{
  GThread *thread;

  g_mutex_lock (&warm_lock);
  thread = g_steal_pointer (&warm_thread);
  g_mutex_unlock (&warm_lock);
  if (thread)
    g_thread_join (thread);
}
