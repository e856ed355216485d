/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* libFuzzer target: the protocol codec parses any bytes, in both
 * directions, without crashing, and whatever it accepts serialises to
 * valid UTF-8 JSON that it accepts again (parse-serialise-parse), with the
 * second serialisation identical to the first (a stable round trip). */

#include "fuzz-common.h"

static void
round_trip (const gchar * text, gsize len, GstWebRTCRoomDirection direction)
{
  g_autoptr (GstWebRTCRoomMessage) msg = NULL;
  g_autoptr (GstWebRTCRoomMessage) again = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *ref = NULL;
  g_autofree gchar *first = NULL;
  g_autofree gchar *second = NULL;

  msg = gst_webrtc_room_message_parse (text, len, direction, &ref, &error);
  if (!msg) {
    /* the error is sent back to the peer: it must be sendable too */
    g_autofree gchar *reply = NULL;

    FUZZ_ASSERT (error != NULL);
    FUZZ_ASSERT (error->domain == GST_WEBRTC_ROOM_ERROR);
    reply = gst_webrtc_room_build_error (error->code, error->message, ref);
    fuzz_assert_valid_frame (reply, GST_WEBRTC_ROOM_TO_CLIENT);
    return;
  }
  FUZZ_ASSERT (error == NULL);
  first = gst_webrtc_room_message_serialize (msg, direction);
  fuzz_assert_valid_frame (first, direction);
  again = gst_webrtc_room_message_parse (first, -1, direction, NULL, &error);
  if (!again)
    fuzz_fail ("serialised frame refused (%s): %s", error->message, first);
  second = gst_webrtc_room_message_serialize (again, direction);
  if (!g_str_equal (first, second))
    fuzz_fail ("unstable round trip:\n  %s\n  %s", first, second);
}

int LLVMFuzzerTestOneInput (const guint8 * data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 * data, size_t size)
{
  fuzz_init ();
  round_trip ((const gchar *) data, size, GST_WEBRTC_ROOM_TO_SERVER);
  round_trip ((const gchar *) data, size, GST_WEBRTC_ROOM_TO_CLIENT);
  return 0;
}
