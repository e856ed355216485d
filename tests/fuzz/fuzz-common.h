/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include <gst/webrtcroom/protocol.h>
#include <stdio.h>
#include <stdlib.h>

/* Shared by the fuzz targets: failures abort (libFuzzer saves the input). */

static void
fuzz_fail (const gchar * format, ...)
G_GNUC_PRINTF (1, 2);

     static void fuzz_fail (const gchar * format, ...)
{
  va_list args;

  va_start (args, format);
  vfprintf (stderr, format, args);
  va_end (args);
  fputc ('\n', stderr);
  abort ();
}

#define FUZZ_ASSERT(expr) G_STMT_START { \
  if (!(expr)) \
    fuzz_fail ("%s:%d: assertion failed: %s", __FILE__, __LINE__, #expr); \
} G_STMT_END

static void
fuzz_log_handler (const gchar * domain, GLogLevelFlags level,
    const gchar * message, gpointer data)
{
  /* criticals and warnings are bugs here (e.g. libsoup's UTF-8 critical) */
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    fuzz_fail ("%s: %s", domain ? domain : "", message);
}

static void
fuzz_init (void)
{
  static gboolean done;

  if (done)
    return;
  done = TRUE;
  g_log_set_default_handler (fuzz_log_handler, NULL);
}

/* What the server sends must be something libsoup sends and a client
 * parses: valid UTF-8, no NUL, one JSON object the codec accepts. */
static void
fuzz_assert_valid_frame (const gchar * text, GstWebRTCRoomDirection dir)
{
  g_autoptr (GstWebRTCRoomMessage) msg = NULL;
  g_autoptr (GError) error = NULL;

  FUZZ_ASSERT (text != NULL);
  if (!g_utf8_validate (text, -1, NULL))
    fuzz_fail ("frame is not valid UTF-8: %s", text);
  msg = gst_webrtc_room_message_parse (text, -1, dir, NULL, &error);
  if (!msg)
    fuzz_fail ("frame refused by the codec (%s): %s", error->message, text);
}
