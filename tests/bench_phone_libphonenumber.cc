// Helper of bench_phone: times libphonenumber (the C++ library of
// libphonenumber-dev) on the inputs of a file, one per line, as
// chorusacct_phone_check is timed: parse with region FR, validate, and
// format the valid ones in E.164. Prints ns per input and the number of
// valid inputs.
#include <phonenumbers/phonenumberutil.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

static unsigned pass(const PhoneNumberUtil &util,
                     const std::vector<std::string> &inputs)
{
    unsigned valid = 0;
    PhoneNumber number;
    std::string out;
    for (const std::string &s : inputs) {
        number.Clear();
        if (util.Parse(s, "FR", &number) != PhoneNumberUtil::NO_PARSING_ERROR)
            continue;
        if (!util.IsValidNumber(number))
            continue;
        util.Format(number, PhoneNumberUtil::E164, &out);
        valid++;
    }
    return valid;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    std::ifstream in(argv[1]);
    std::vector<std::string> inputs;
    for (std::string line; std::getline(in, line);)
        inputs.push_back(line);
    if (inputs.empty())
        return 1;

    const PhoneNumberUtil &util = *PhoneNumberUtil::GetInstance();
    unsigned valid = pass(util, inputs); // warm up, and the count
    double best = 1e30;
    for (int round = 0; round < 5; round++) {
        auto t0 = std::chrono::steady_clock::now();
        volatile unsigned sink = pass(util, inputs);
        (void)sink;
        auto t1 = std::chrono::steady_clock::now();
        double ns = std::chrono::duration<double, std::nano>(t1 - t0).count() /
                    static_cast<double>(inputs.size());
        if (ns < best)
            best = ns;
    }
    std::printf("%.1f %u\n", best, valid);
    return 0;
}
