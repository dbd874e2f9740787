package dev.faultbox.plugin.mongodb;

import de.bwaldvogel.mongo.bson.Document;

/**
 * What answers one command: a reply document, or nothing and the connection closed (a drop fault).
 *
 * @param document the reply, null when dropping
 */
record Reply(Document document) {

  static final Reply DROP = new Reply(null);

  boolean drop() {
    return document == null;
  }

  boolean ok() {
    return document != null && document.get("ok") instanceof Number n && n.doubleValue() == 1.0;
  }
}
