#pragma once

#include <QString>

namespace console {

class MainWindow;

// For the README's pictures (tests/gui/screenshots.sh): once the window is connected and
// its views have loaded, saves a PNG of each main view into `directory`, then quits.
void takeScreenshots(MainWindow &window, const QString &directory);

} // namespace console
