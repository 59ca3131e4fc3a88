/** How notifications are sent and recorded: the notifier, its deliveries, incidents and attempts, the pages. */
package dev.almanac.notify.internal;
