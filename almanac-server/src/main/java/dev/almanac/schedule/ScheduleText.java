package dev.almanac.schedule;

import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Schedules in words for people: "At 02:00 on Sunday, Europe/Berlin", "Every 15 minutes, UTC". A cron expression
 * the sentences below do not cover is shown as its fields spelled out, never as a wrong sentence.
 */
public final class ScheduleText {

    private static final String[] DAYS = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
    private static final String[] MONTHS = {
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December"
    };
    private static final List<String> DAY_NAMES = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");
    private static final List<String> MONTH_NAMES =
            List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
    private static final Map<String, String> MACROS = Map.of(
            "@yearly", "0 0 1 1 *",
            "@annually", "0 0 1 1 *",
            "@monthly", "0 0 1 * *",
            "@weekly", "0 0 * * 0",
            "@daily", "0 0 * * *",
            "@midnight", "0 0 * * *",
            "@hourly", "0 * * * *");
    private static final DateTimeFormatter ONCE = DateTimeFormatter.ofPattern("d MMMM yyyy 'at' HH:mm", Locale.ENGLISH);

    private ScheduleText() {}

    /** The schedule in words, with its time zone. */
    public static String describe(Schedule schedule) {
        String zone = schedule.zone().getId();
        if (schedule instanceof CronSchedule cron) {
            return cron(cron.resolvedExpression()) + ", " + zone;
        }
        if (schedule instanceof IntervalSchedule interval) {
            return interval(interval.interval()) + ", " + zone;
        }
        OnceSchedule once = (OnceSchedule) schedule;
        return "Once, on " + once.runAt().atZone(schedule.zone()).format(ONCE) + ", " + zone;
    }

    /** "Every 15 minutes", "Every 2 hours", "Every 90 seconds". */
    public static String interval(Duration interval) {
        long seconds = interval.getSeconds();
        if (seconds % 86_400 == 0) {
            return every(seconds / 86_400, "day");
        }
        if (seconds % 3600 == 0) {
            return every(seconds / 3600, "hour");
        }
        if (seconds % 60 == 0) {
            return every(seconds / 60, "minute");
        }
        return every(seconds, "second");
    }

    /** A cron expression (5 fields, or 6 with leading seconds, or a macro) in words, without the zone. */
    public static String cron(String expression) {
        String text = expression.strip().toLowerCase(Locale.ROOT);
        text = MACROS.getOrDefault(text, text);
        String[] fields = text.toUpperCase(Locale.ROOT).split("\\s+");
        String seconds = "0";
        if (fields.length == 6) {
            seconds = fields[0];
            fields = new String[] {fields[1], fields[2], fields[3], fields[4], fields[5]};
        }
        if (fields.length != 5) {
            return "Cron " + expression;
        }
        String minute = fields[0];
        String hour = fields[1];
        String dayOfMonth = fields[2];
        String month = fields[3];
        String dayOfWeek = fields[4];

        List<String> parts = new ArrayList<>();
        if (!seconds.equals("0")) {
            parts.add(seconds.equals("*") ? "Every second," : "At second " + list(seconds, null, 0) + ",");
        }
        String time = time(minute, hour);
        parts.add(parts.isEmpty() ? time : lowerFirst(time));
        String days = days(dayOfMonth, dayOfWeek);
        if (days != null) {
            parts.add(days);
        } else if (isFixed(minute) && isFixed(hour)) {
            parts.add("every day");
        }
        if (!month.equals("*")) {
            parts.add(
                    month.startsWith("*/")
                            ? "in every " + ordinalStep(month.substring(2), "month")
                            : "in " + list(month, MONTH_NAMES, 1, MONTHS));
        }
        return String.join(" ", parts);
    }

    private static String time(String minute, String hour) {
        if (isNumber(minute) && isNumber(hour)) {
            return "At " + hhmm(hour, minute);
        }
        if (isNumber(minute) && isNumberList(hour)) {
            List<String> times = new ArrayList<>();
            for (String h : hour.split(",")) {
                times.add(hhmm(h, minute));
            }
            return "At " + and(times);
        }
        String minutes;
        if (minute.equals("*")) {
            minutes = "Every minute";
        } else if (minute.startsWith("*/") && 60 % Long.parseLong(minute.substring(2)) != 0) {
            // */45 restarts every hour (:00, :45, :00 ...): "every 45 minutes" would say what it does not do
            long step = Long.parseLong(minute.substring(2));
            List<String> at = new ArrayList<>();
            for (long m = 0; m < 60; m += step) {
                at.add(Long.toString(m));
            }
            minutes = "At minutes " + and(at) + " of";
        } else if (minute.startsWith("*/")) {
            minutes = every(Long.parseLong(minute.substring(2)), "minute");
        } else if (isNumber(minute)) {
            minutes = minute.equals("0") ? "At the start of" : "At minute " + Integer.parseInt(minute) + " of";
        } else {
            minutes = "At minutes " + list(minute, null, 0) + " of";
        }
        boolean of = minutes.endsWith(" of");
        String hours;
        if (hour.equals("*")) {
            hours = of ? "every hour" : "";
        } else if (hour.startsWith("*/")) {
            hours = (of ? "" : "of ") + "every " + ordinalStep(hour.substring(2), "hour");
        } else if (hour.matches("\\d+-\\d+")) {
            String[] range = hour.split("-");
            hours = (of ? "every hour " : "") + "between " + hhmm(range[0], "0") + " and " + hhmm(range[1], "59");
        } else {
            hours = (of ? "" : "during ") + "hour " + list(hour, null, 0);
        }
        return hours.isEmpty() ? minutes : minutes + " " + hours;
    }

    private static String days(String dayOfMonth, String dayOfWeek) {
        String monthDays = null;
        if (!dayOfMonth.equals("*") && !dayOfMonth.equals("?")) {
            monthDays = dayOfMonth.startsWith("*/")
                    ? "every " + ordinalStep(dayOfMonth.substring(2), "day")
                    : "on day " + list(dayOfMonth, null, 0) + " of the month";
        }
        String weekDays = null;
        if (!dayOfWeek.equals("*") && !dayOfWeek.equals("?")) {
            String normalized = dayOfWeek.replace("7", "0");
            if (normalized.equals("1-5") || normalized.equals("MON-FRI")) {
                weekDays = "on weekdays";
            } else if (normalized.equals("0,6") || normalized.equals("6,0") || normalized.equals("SAT,SUN")) {
                weekDays = "on weekends";
            } else {
                weekDays = "on " + list(normalized, DAY_NAMES, 0, DAYS);
            }
        }
        if (monthDays != null && weekDays != null) {
            return monthDays + " or " + weekDays;
        }
        return monthDays != null ? monthDays : weekDays;
    }

    private static String list(String field, List<String> names, int base) {
        return list(field, names, base, null);
    }

    /** A cron field in words: "1, 15 and 30", "Monday through Friday", "every 2nd from 1 to 10". */
    private static String list(String field, List<String> names, int base, String[] words) {
        List<String> items = new ArrayList<>();
        for (String item : field.split(",")) {
            String step = null;
            String range = item;
            int slash = item.indexOf('/');
            if (slash >= 0) {
                step = item.substring(slash + 1);
                range = item.substring(0, slash);
            }
            String text;
            if (range.equals("*")) {
                text = "every value";
            } else if (range.contains("-")) {
                String[] bounds = range.split("-", 2);
                text = word(bounds[0], names, base, words) + " through " + word(bounds[1], names, base, words);
            } else {
                text = word(range, names, base, words);
            }
            if (step != null) {
                text = "every " + ordinal(step) + " from " + text;
            }
            items.add(text);
        }
        return and(items);
    }

    private static String word(String value, List<String> names, int base, String[] words) {
        int index;
        if (names != null && names.contains(value)) {
            index = names.indexOf(value);
        } else if (isNumber(value)) {
            index = Integer.parseInt(value) - base;
        } else {
            return value;
        }
        if (words != null && index >= 0 && index < words.length) {
            return words[index];
        }
        return value;
    }

    private static String hhmm(String hour, String minute) {
        return String.format(Locale.ROOT, "%02d:%02d", Integer.parseInt(hour), Integer.parseInt(minute));
    }

    private static String every(long count, String unit) {
        return count == 1 ? "Every " + unit : "Every " + count + " " + unit + "s";
    }

    private static String ordinalStep(String step, String unit) {
        return step.equals("1") ? unit : ordinal(step) + " " + unit;
    }

    private static String ordinal(String number) {
        if (!isNumber(number)) {
            return number;
        }
        int n = Integer.parseInt(number);
        String suffix = (n % 100 >= 11 && n % 100 <= 13)
                ? "th"
                : switch (n % 10) {
                    case 1 -> "st";
                    case 2 -> "nd";
                    case 3 -> "rd";
                    default -> "th";
                };
        return n + suffix;
    }

    private static String and(List<String> items) {
        if (items.size() == 1) {
            return items.get(0);
        }
        return String.join(", ", items.subList(0, items.size() - 1)) + " and " + items.get(items.size() - 1);
    }

    private static boolean isFixed(String field) {
        return isNumber(field) || isNumberList(field);
    }

    private static boolean isNumber(String text) {
        return text.matches("\\d{1,2}");
    }

    private static boolean isNumberList(String text) {
        return text.matches("\\d{1,2}(,\\d{1,2})+");
    }

    private static String lowerFirst(String text) {
        return Character.toLowerCase(text.charAt(0)) + text.substring(1);
    }
}
